import { deepEqual, equal } from "node:assert/strict";
import { BoundedBuffer } from "../../src/logs/bounded_buffer.ts";

const text = (b: BoundedBuffer, count = 1000) =>
  b.peek(count).map((r) => typeof r.line === "string" ? r.line : new TextDecoder().decode(r.line));

Deno.test("BoundedBuffer keeps order and drops the oldest beyond the count limit", () => {
  const b = new BoundedBuffer(3, 1_000_000);
  for (const line of ["a", "b", "c", "d", "e"]) b.push("stdout", line, 0);
  deepEqual(text(b), ["c", "d", "e"]);
  equal(b.dropped, 2);
  b.acknowledgeDropped(2);
  equal(b.dropped, 0);
});

Deno.test("BoundedBuffer drops the oldest beyond the byte limit", () => {
  const b = new BoundedBuffer(1000, 250);
  b.push("stdout", new Uint8Array(100), 0);
  b.push("stdout", new Uint8Array(100), 0);
  equal(b.length, 2);
  b.push("stderr", new Uint8Array(100), 0);
  equal(b.length, 2);
  equal(b.bytes, 200);
  equal(b.dropped, 1);
  b.push("stderr", new Uint8Array(251), 0);
  equal(b.dropped, 2, "a line larger than the whole buffer is dropped itself");
  equal(b.length, 2);
});

Deno.test("BoundedBuffer keeps records, levels, parts and ranges across the ring's wrap", () => {
  const b = new BoundedBuffer(4, 10);
  const source = new TextEncoder().encode("xxabcdefyy");
  b.pushRange("stdout", source, 2, 8, 1, -2); // "abcdef", last part 2
  b.push("pilot", "wxyz", 2, { level: "error" });
  b.push("stderr", "1234", 3); // wraps; drops "abcdef"
  const [first, second] = b.peek(10);
  deepEqual(text(b), ["wxyz", "1234"]);
  equal(first!.level, "error");
  equal(first!.stream, "pilot");
  equal(second!.stream, "stderr");
  equal(second!.timeMs, 3);
  equal(b.dropped, 1);
  const parts = new BoundedBuffer(4, 100);
  parts.push("stdout", "p", 0, { part: 3, lastPart: false });
  deepEqual([parts.peek(1)[0]!.part, parts.peek(1)[0]!.lastPart], [3, false]);
});

Deno.test("BoundedBuffer removes records only when acknowledged, even after drops", () => {
  const b = new BoundedBuffer(3, 1_000_000);
  for (const line of ["a", "b", "c"]) b.push("stdout", line, 0);
  const inFlight = b.peek(2); // a, b sent to Kafka
  b.push("stdout", "d", 0); // a dropped meanwhile
  b.acknowledge(inFlight.at(-1)!.seq);
  deepEqual(text(b), ["c", "d"]);
});

Deno.test("BoundedBuffer stays correct over many pushes and acknowledgements", () => {
  const b = new BoundedBuffer(10, 1_000_000);
  for (let i = 0; i < 100_000; i++) {
    b.push("stdout", String(i), 0);
    if (i % 7 === 0) b.acknowledge(b.peek(3).at(-1)!.seq);
  }
  equal(b.length, 10);
  deepEqual(text(b), Array.from({ length: 10 }, (_, i) => String(99_990 + i)));
});

Deno.test("BoundedBuffer grows its byte ring as needed and keeps every held line intact", () => {
  const b = new BoundedBuffer(100_000, 1_000_000);
  const lines: string[] = [];
  for (let i = 0; i < 5000; i++) {
    const line = `${i}:${"z".repeat(i % 300)}`;
    lines.push(line);
    b.push("stdout", line, 0);
    if (i % 1000 === 999) b.acknowledge(b.peek(400).at(-1)!.seq); // the head moves
  }
  const held = b.peek(100_000).map((r) => new TextDecoder().decode(r.line as Uint8Array));
  deepEqual(held, lines.slice(lines.length - held.length));
  equal(held.length, 5000 - 5 * 400);
});

Deno.test("BoundedBuffer does not count pinned records (sent, not yet answered) it drops", () => {
  const b = new BoundedBuffer(3, 1_000_000);
  for (const line of ["a", "b", "c"]) b.push("stdout", line, 0);
  b.pinUntil(b.peek(2).at(-1)!.seq + 1); // a, b sent to Kafka, no answer yet
  b.push("stdout", "d", 0); // a dropped: Kafka may have it
  b.push("stdout", "e", 0); // b dropped: the same
  equal(b.dropped, 0);
  b.push("stdout", "f", 0); // c was never sent: lost
  equal(b.dropped, 1);
  deepEqual(text(b), ["d", "e", "f"]);
  b.countDropped(2); // Kafka said it never wrote a and b
  equal(b.dropped, 3);
});

Deno.test("BoundedBuffer counts every record dropped since the start, reported or not", () => {
  const b = new BoundedBuffer(2, 1_000_000);
  for (const line of ["a", "b", "c", "d"]) b.push("stdout", line, 0);
  equal(b.droppedTotal, 2);
  b.acknowledgeDropped(2);
  equal(b.dropped, 0);
  equal(b.droppedTotal, 2, "a report that reached Kafka does not undo the drops");
  b.push("stdout", "e", 0);
  equal(b.droppedTotal, 3);
});

Deno.test("BoundedBuffer keeps every held line intact when it grows while its bytes wrap", () => {
  let seed = 7;
  const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  // Limits that are not a power of two times the first ring: the last growth stops at the limit.
  for (const maxBytes of [90_001, 100_003, 150_001, 333_333]) {
    const b = new BoundedBuffer(1_000_000, maxBytes);
    const lines: string[] = [];
    let acknowledged = 0;
    for (let round = 0; round < 400; round++) {
      for (let i = random(10) + 1; i > 0; i--) {
        const line = `${lines.length}:${"w".repeat(random(1500))}`;
        lines.push(line);
        b.push("stdout", line, 0);
      }
      // Few bytes held while the offsets travel round the first ring many times, then more and
      // more: the ring grows while its held bytes wrap, far from offset 0.
      const keep = round < 200
        ? 10_000
        : Math.min(maxBytes - 16_000, 10_000 + (round - 200) * 2_000);
      while (b.bytes > keep) {
        const drained = b.peek(random(3) + 1);
        b.acknowledge(drained.at(-1)!.seq);
        acknowledged += drained.length;
      }
    }
    equal(b.dropped, 0);
    deepEqual(text(b, 1_000_000), lines.slice(acknowledged), `limit ${maxBytes}`);
  }
});

Deno.test("BoundedBuffer grows into a capped ring while its held bytes wrap in both rings", () => {
  // Lines of 1000 bytes. The first ring holds 65,536: the head travels to offset 190,000 (at
  // 58,928 of it), then 66 lines more outgrow it. The new ring is capped at 100,003, where offset
  // 190,000 is at 89,997: the held bytes wrap in the old ring at 196,608 and in the new at 200,006.
  const b = new BoundedBuffer(1000, 100_003);
  const line = (i: number) => `${i}:`.padEnd(1000, "v");
  for (let i = 0; i < 190; i++) {
    b.push("stdout", line(i), 0);
    b.acknowledge(b.peek(1)[0]!.seq);
  }
  const held = Array.from({ length: 70 }, (_, i) => line(190 + i));
  for (const l of held) b.push("stdout", l, 0);
  equal(b.dropped, 0);
  deepEqual(text(b), held);
});

Deno.test("BoundedBuffer makes room for a huge line by dropping the oldest, then grows to its limit", () => {
  const b = new BoundedBuffer(1000, 150_001);
  const small = Array.from({ length: 60 }, (_, i) => `${i}:`.padEnd(1000, "s"));
  for (const line of small) b.push("stdout", line, 0);
  const huge = "h".repeat(120_000);
  b.push("stdout", huge, 0);
  equal(b.dropped, 30, "the oldest went, until the huge line fitted the limit");
  deepEqual(text(b), [...small.slice(30), huge]);
  b.push("stdout", "h".repeat(150_002), 0);
  equal(b.dropped, 31, "a line over the whole limit is dropped itself, after a growth too");
  deepEqual(text(b), [...small.slice(30), huge]);
});
