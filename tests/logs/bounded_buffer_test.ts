import { deepEqual, equal } from "node:assert/strict";
import { BoundedBuffer } from "../../src/logs/bounded_buffer.ts";

const lines = (b: BoundedBuffer) => b.peek(1000).map((r) => r.line);

Deno.test("BoundedBuffer keeps order and drops the oldest beyond the count limit", () => {
  const b = new BoundedBuffer(3, 1_000_000);
  for (const line of ["a", "b", "c", "d", "e"]) b.push("stdout", line, 0);
  deepEqual(lines(b), ["c", "d", "e"]);
  equal(b.dropped, 2);
  b.acknowledgeDropped(2);
  equal(b.dropped, 0);
});

Deno.test("BoundedBuffer drops the oldest beyond the byte limit, keeping at least one", () => {
  const b = new BoundedBuffer(1000, 300);
  b.push("stdout", new Uint8Array(100), 0);
  b.push("stdout", new Uint8Array(100), 0);
  equal(b.length, 1, "100 + 64 bytes of overhead each");
  b.push("stderr", new Uint8Array(5000), 0);
  equal(b.length, 1);
  equal(b.peek(1)[0]!.stream, "stderr");
  equal(b.dropped, 2);
});

Deno.test("BoundedBuffer removes records only when acknowledged, even after drops", () => {
  const b = new BoundedBuffer(3, 1_000_000);
  for (const line of ["a", "b", "c"]) b.push("stdout", line, 0);
  const inFlight = b.peek(2); // a, b sent to Kafka
  b.push("stdout", "d", 0); // a dropped meanwhile
  b.acknowledge(inFlight.at(-1)!.seq);
  deepEqual(lines(b), ["c", "d"]);
});

Deno.test("BoundedBuffer.peek() caps a batch by count and bytes", () => {
  const b = new BoundedBuffer(100, 1_000_000);
  for (let i = 0; i < 10; i++) b.push("stdout", new Uint8Array(36), 0); // 100 bytes each
  equal(b.peek(4).length, 4);
  equal(b.peek(100, 350).length, 3);
  equal(b.peek(100, 10).length, 1, "always at least one");
});

Deno.test("BoundedBuffer stays correct over many pushes and acknowledgements", () => {
  const b = new BoundedBuffer(10, 1_000_000);
  for (let i = 0; i < 100_000; i++) {
    b.push("stdout", String(i), 0);
    if (i % 7 === 0) b.acknowledge(b.peek(3).at(-1)!.seq);
  }
  equal(b.length, 10);
  deepEqual(lines(b), Array.from({ length: 10 }, (_, i) => String(99_990 + i)));
});
