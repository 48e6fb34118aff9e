import { deepEqual, equal } from "node:assert/strict";
import type { BufferedRecord } from "../../src/logs/bounded_buffer.ts";
import { recordJson, recordValue } from "../../src/logs/record.ts";
import { META } from "../support/record_meta.ts";

function rec(line: string | Uint8Array, extra: Partial<BufferedRecord> = {}): BufferedRecord {
  return { seq: 7, stream: "stdout", timeMs: 1_700_000_000_123.456, line, ...extra };
}

Deno.test("recordValue() builds the SPEC fields for a plain line", () => {
  deepEqual(recordValue(META, rec("hello")), {
    timestamp: "2023-11-14T22:13:20.123Z",
    time_id: "1700000000123456007",
    service_name: "web",
    service_id: "web-1",
    node_id: "n1",
    container_id: "abc123def",
    container_shortid: "abc123",
    host_ip: "10.0.0.2",
    stream: "stdout",
    is_error: false,
    level: null,
    message: "hello",
  });
});

Deno.test("recordValue() keeps a JSON line's fields and types; metadata keys win", () => {
  const v = recordValue(
    META,
    rec('{"msg":"hi","n":1,"tags":["a"],"service_id":"evil","ok":false}'),
  );
  equal(v.message, "hi");
  equal(v.n, 1);
  deepEqual(v.tags, ["a"]);
  equal(v.ok, false);
  equal(v.service_id, "web-1");
  equal(recordValue(META, rec('{"message":"m","msg":"x"}')).message, "m");
  equal(recordValue(META, rec('{"n":1}')).message, '{"n":1}');
  equal(recordValue(META, rec("[1,2]")).message, "[1,2]");
});

Deno.test("recordValue() marks errors, pilot levels and parts; replaces invalid UTF-8", () => {
  equal(recordValue(META, rec("x", { stream: "stderr" })).is_error, true);
  const pilot = recordValue(META, rec("boom", { stream: "pilot", level: "error" }));
  equal(pilot.is_error, true);
  equal(pilot.level, "error");
  const part = recordValue(META, rec('{"a":1}', { part: 2, lastPart: true }));
  equal(part.part, 2);
  equal(part.last_part, true);
  equal(part.message, '{"a":1}', "a part is never parsed as JSON");
  equal(recordValue(META, rec(new Uint8Array([0x61, 0xff, 0x62]))).message, "a\ufffdb");
});

Deno.test("recordJson() is the JSON of recordValue() for every kind of record", () => {
  const bytes = (text: string) => new TextEncoder().encode(text);
  const records: BufferedRecord[] = [
    {
      seq: 0,
      stream: "stdout",
      timeMs: 1_764_000_000_123.456,
      line: bytes('plain "quoted" \\ line'),
    },
    { seq: 1001, stream: "stderr", timeMs: 1_764_000_000_124, line: bytes("oops\u0001\u001f") },
    { seq: 7, stream: "stdout", timeMs: 1_764_000_000_124, line: bytes('{"msg":"m","n":1}') },
    { seq: 8, stream: "stdout", timeMs: 1_764_000_000_124, line: bytes("  {not json") },
    { seq: 9, stream: "pilot", timeMs: 1_764_000_000_125, line: "pilot says", level: "error" },
    { seq: 10, stream: "stdout", timeMs: 1_764_000_000_125, line: bytes('{"a"'), part: 2 },
    {
      seq: 11,
      stream: "stdout",
      timeMs: 1_764_000_000_125,
      line: bytes("z"),
      part: 3,
      lastPart: true,
    },
    { seq: 12, stream: "stdout", timeMs: 1_764_000_000_126, line: Uint8Array.of(0xff, 0x41, 0xc3) },
    { seq: 13, stream: "stdout", timeMs: 1_764_000_000_126, line: bytes("é 😀 \u2028") },
  ];
  for (const record of records) {
    equal(
      recordJson(META, record),
      JSON.stringify(recordValue(META, record)),
      `record ${record.seq}`,
    );
  }
});
