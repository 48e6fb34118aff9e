import { deepEqual, equal, ok } from "node:assert/strict";
import { lineQueue } from "../../src/log/line_queue.ts";
import { sleep } from "../../src/timer.ts";
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
  queue.write("first\n"); // handed to the sink at once, which holds it: 6 of the 30 bytes
  for (const line of ["a 1\n", "a 2\n", "a 3\n", "a 4\n", "a 5\n", "a 6\n", "a 7\n", "a 8\n"]) {
    queue.write(line); // returns at once: the caller is never held up
  }
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
    "amp-pilot: 2 log lines were dropped here: stderr was not read",
    "after",
    "",
  ]);
});

Deno.test("lineQueue() drops every line after a dropped one until its note, short ones too", async () => {
  const target = sink();
  target.state.stalled = true;
  const queue = lineQueue(target, 20);
  queue.write("first\n");
  queue.write("0123456789\n");
  queue.write("a line too long now\n");
  queue.write("s\n"); // would fit, but would land before the note of the line dropped
  target.release();
  await queue.flush(10_000);
  deepEqual(target.text().split("\n"), [
    "first",
    "0123456789",
    "amp-pilot: 2 log lines were dropped here: stderr was not read",
    "",
  ]);
});

Deno.test("lineQueue() flush() gives up at its deadline and lets go of what is left", async () => {
  const target = sink();
  target.state.stalled = true;
  const queue = lineQueue(target);
  queue.write("held\n"); // in the sink's hands
  queue.write("queued\n");
  await queue.flush(50);
  equal(target.text(), "");
  target.release();
  await sleep(20); // the held write ends; what was queued behind it is gone
  queue.write("new\n");
  await queue.flush(10_000);
  equal(target.text(), "held\nnew\n");
});

Deno.test("lineQueue() stops trying a sink full for ever once flush() gives up", async () => {
  const target = sink(Array.from({ length: 10_000 }, () => new Deno.errors.WouldBlock("full")));
  const queue = lineQueue(target);
  queue.write("never\n");
  await queue.flush(50);
  const writes = target.state.writes;
  await sleep(100);
  ok(target.state.writes <= writes + 1, `${target.state.writes - writes} more tries`);
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
