import { equal } from "node:assert/strict";
import type { BufferedRecord } from "../../src/logs/bounded_buffer.ts";
import { ByteWriter } from "../../src/logs/kafka/wire.ts";
import { PlainRecordEncoder } from "../../src/logs/plain_record.ts";
import { recordJson } from "../../src/logs/record.ts";
import { META } from "../support/record_meta.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

function encoded(encoder: PlainRecordEncoder, record: BufferedRecord): string | undefined {
  const length = encoder.valueLength(record);
  if (length < 0) return undefined;
  const out = new ByteWriter(8);
  encoder.writeValue(out, record);
  equal(out.length, length, "the announced length");
  return new TextDecoder().decode(out.view());
}

Deno.test("PlainRecordEncoder writes the very bytes of recordJson() for plain lines", () => {
  const encoder = new PlainRecordEncoder(META);
  const records: BufferedRecord[] = [
    { seq: 0, stream: "stdout", timeMs: 1_764_000_000_123.456, line: bytes("plain line ~ 100%") },
    { seq: 1_234_567, stream: "stderr", timeMs: 1_764_000_000_124, line: bytes("oops: failed") },
    { seq: 5, stream: "stdout", timeMs: 1_764_000_000_124.9, line: bytes("") },
    { seq: 6, stream: "stdout", timeMs: 1_000, line: bytes("  not { json") },
    { seq: 7, stream: "stdout", timeMs: 1_764_000_000_125, line: bytes("\x7f del is fine") },
  ];
  for (const record of records) {
    equal(encoded(encoder, record), recordJson(META, record), `record ${record.seq}`);
  }
});

Deno.test("PlainRecordEncoder leaves every other record to recordJson()", () => {
  const encoder = new PlainRecordEncoder(META);
  const others: BufferedRecord[] = [
    { seq: 1, stream: "stdout", timeMs: 1, line: bytes('say "hi"') },
    { seq: 2, stream: "stdout", timeMs: 1, line: bytes("back\\slash") },
    { seq: 3, stream: "stdout", timeMs: 1, line: bytes("tab\there") },
    { seq: 4, stream: "stdout", timeMs: 1, line: bytes("é") },
    { seq: 5, stream: "stdout", timeMs: 1, line: Uint8Array.of(0xff) },
    { seq: 6, stream: "stdout", timeMs: 1, line: bytes('  {"a":1}') },
    { seq: 7, stream: "stdout", timeMs: 1, line: bytes("part"), part: 1 },
    { seq: 8, stream: "pilot", timeMs: 1, line: "pilot", level: "info" },
  ];
  for (const record of others) equal(encoder.valueLength(record), -1, `record ${record.seq}`);
  const unicode = new PlainRecordEncoder({ ...META, serviceName: "wéb" });
  equal(unicode.valueLength({ seq: 9, stream: "stdout", timeMs: 1, line: bytes("x") }), -1);
});

Deno.test("PlainRecordEncoder writes time ids of every length and with inner zeros", () => {
  const encoder = new PlainRecordEncoder(META);
  for (
    const timeMs of [0, 0.001, 1, 99_999.999, 1_700_000_000_000, 1_764_000_000_000.5, 1e12 + 0.1]
  ) {
    for (const seq of [0, 7, 1000, 123_456]) {
      const record: BufferedRecord = { seq, stream: "stdout", timeMs, line: bytes("x") };
      equal(encoded(encoder, record), recordJson(META, record), `${timeMs} ${seq}`);
    }
  }
});

Deno.test("PlainRecordEncoder finds every byte that is not plain, wherever it is in the line", () => {
  const encoder = new PlainRecordEncoder(META);
  const memory = new Uint8Array(64);
  for (let byte = 0; byte < 256; byte++) {
    const plain = byte >= 0x20 && byte <= 0x7f && byte !== 0x22 && byte !== 0x5c;
    for (let offset = 0; offset < 4; offset++) {
      for (let at = 0; at < 13; at++) {
        memory.fill(0x61); // "a"
        memory[offset + at] = byte;
        const line = memory.subarray(offset, offset + 13); // words start at any alignment
        const record: BufferedRecord = { seq: at, stream: "stdout", timeMs: 1.5, line };
        const expected = plain && !(byte === 0x7b && at === 0)
          ? recordJson(META, record)
          : undefined;
        equal(encoded(encoder, record), expected, `byte ${byte} at ${at}, offset ${offset}`);
      }
    }
  }
});

Deno.test("PlainRecordEncoder writes each record's own time when lines of one time are followed by another", () => {
  const encoder = new PlainRecordEncoder(META);
  for (const timeMs of [1_764_000_000_123.456, 1_764_000_000_123.456, 1_764_000_000_123.457, 5]) {
    const record: BufferedRecord = { seq: 3, stream: "stderr", timeMs, line: bytes("line") };
    equal(encoded(encoder, record), recordJson(META, record), `${timeMs}`);
  }
});
