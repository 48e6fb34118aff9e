import { deepEqual, equal, throws } from "node:assert/strict";
import { writeAll, writeAllSync } from "../../src/log/write_all.ts";

/** A stream that answers with each of `answers` in turn: a byte count or an error to throw. */
function scriptedSink(answers: (number | Error)[]) {
  const written: string[] = [];
  const next = (p: Uint8Array): number => {
    const answer = answers.length > 0 ? answers.shift()! : p.length;
    if (answer instanceof Error) throw answer;
    written.push(new TextDecoder().decode(p.subarray(0, answer)));
    return answer;
  };
  return {
    written,
    writeSync: next,
    write: (p: Uint8Array) => Promise.resolve().then(() => next(p)),
  };
}

Deno.test("writeAllSync() writes again after EAGAIN, an interrupted write and a short write", () => {
  const sink = scriptedSink([
    new Deno.errors.WouldBlock("Resource temporarily unavailable (os error 11)"),
    3,
    new Deno.errors.Interrupted("Interrupted system call (os error 4)"),
  ]);
  writeAllSync(sink, "last words\n");
  deepEqual(sink.written, ["las", "t words\n"]);
});

Deno.test("writeAllSync() drops the rest once a stream stays full past its patience", () => {
  const full = Array.from({ length: 1000 }, () => new Deno.errors.WouldBlock("full"));
  const sink = scriptedSink([2, ...full]);
  writeAllSync(sink, "never read\n", 30);
  deepEqual(sink.written, ["ne"]);
  equal(full.length > 990, true, "it gave up after a few tries, not a thousand");
});

Deno.test("writeAllSync() throws what is not a full or interrupted stream", () => {
  const sink = scriptedSink([new Deno.errors.BrokenPipe("Broken pipe (os error 32)")]);
  throws(() => writeAllSync(sink, "gone\n"), Deno.errors.BrokenPipe);
});

Deno.test("writeAll() writes again after EAGAIN and stops when its signal is aborted", async () => {
  const sink = scriptedSink([new Deno.errors.WouldBlock("full"), 2]);
  await writeAll(sink, new TextEncoder().encode("line\n"));
  deepEqual(sink.written, ["li", "ne\n"]);

  const stuck = scriptedSink(Array.from({ length: 10 }, () => new Deno.errors.WouldBlock("full")));
  const aborted = AbortSignal.abort();
  let thrown: unknown;
  await writeAll(stuck, new TextEncoder().encode("x"), aborted).catch((e) => (thrown = e));
  equal(thrown instanceof Deno.errors.WouldBlock, true);
});
