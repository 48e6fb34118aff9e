import { deepEqual, equal } from "node:assert/strict";
import { lineQueue } from "../../src/log/line_queue.ts";
import { testNoTimerLeftPending } from "../support/timers.ts";

/** A sink that keeps what it is given; while `stalled`, each write waits for `release()`. */
function sink(failures: Error[] = []) {
  const decoder = new TextDecoder();
  let text = "";
  let waiting: (() => void)[] = [];
  const state = { stalled: false, writes: 0 };
  return {
    state,
    text: () => text,
    release() {
      state.stalled = false;
      for (const go of waiting) go();
      waiting = [];
    },
    async write(p: Uint8Array): Promise<number> {
      state.writes++;
      if (state.stalled) await new Promise<void>((resolve) => waiting.push(resolve));
      const failure = failures.shift();
      if (failure) throw failure;
      text += decoder.decode(p);
      return p.length;
    },
  };
}

Deno.test("lineQueue() writes every line, in order", async () => {
  const target = sink();
  const queue = lineQueue(target);
  for (let i = 1; i <= 5; i++) queue.write(`line ${i}\n`);
  await queue.flush(10_000);
  equal(target.text(), "line 1\nline 2\nline 3\nline 4\nline 5\n");
});

Deno.test("lineQueue() never waits for a stalled sink; past its limit it drops and says how many, where", async () => {
  const target = sink();
  target.state.stalled = true;
  const queue = lineQueue(target, 30);
  queue.write("first\n"); // handed to the sink at once, which holds it
  for (const line of ["a 1\n", "a 2\n", "a 3\n", "a 4\n", "a 5\n", "a 6\n", "a 7\n", "a 8\n"]) {
    queue.write(line); // returns at once: the caller is never held up
  }
  await queue.flush(50); // gives up: the sink is stalled
  equal(target.text(), "");
  target.release();
  await queue.flush(10_000);
  queue.write("after\n");
  await queue.flush(10_000);
  deepEqual(target.text().split("\n"), [
    "first",
    "a 1",
    "a 2",
    "a 3",
    "a 4",
    "a 5",
    "a 6",
    "a 7",
    "amp-pilot: 1 log lines were dropped here: stderr was not read",
    "after",
    "",
  ]);
});

Deno.test("lineQueue() tries again a sink full for now (EAGAIN) or interrupted", async () => {
  const target = sink([new Deno.errors.WouldBlock("full"), new Deno.errors.Interrupted("sig")]);
  const queue = lineQueue(target);
  queue.write("kept\n");
  await queue.flush(10_000);
  equal(target.text(), "kept\n");
  equal(target.state.writes, 3);
});

Deno.test("lineQueue() drops every line once the sink is gone (EPIPE), without throwing", async () => {
  const target = sink([new Deno.errors.BrokenPipe("gone")]);
  const queue = lineQueue(target);
  queue.write("lost\n");
  await queue.flush(10_000);
  queue.write("also lost\n");
  await queue.flush(10_000);
  equal(target.text(), "");
  equal(target.state.writes, 1);
});

testNoTimerLeftPending();
