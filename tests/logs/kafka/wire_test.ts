import { deepEqual, equal, throws } from "node:assert/strict";
import {
  ByteReader,
  ByteWriter,
  KafkaDecodeError,
  sizeOfVarint,
} from "../../../src/logs/kafka/wire.ts";

const hex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

Deno.test("ByteWriter writes zigzag varints and varlongs as Kafka does", () => {
  const cases: [number, string][] = [
    [0, "00"],
    [-1, "01"],
    [1, "02"],
    [63, "7e"],
    [-64, "7f"],
    [64, "8001"],
    [300, "d804"],
    [-300, "d704"],
    [2147483647, "feffffff0f"],
    [-2147483648, "ffffffff0f"],
  ];
  for (const [value, expected] of cases) {
    const writer = new ByteWriter(1);
    writer.varint(value);
    equal(hex(writer.view()), expected, `varint ${value}`);
    equal(sizeOfVarint(value), expected.length / 2, `size of ${value}`);
    const long = new ByteWriter(1);
    long.varlong(value);
    equal(hex(long.view()), expected, `varlong ${value}`);
  }
  const writer = new ByteWriter(1);
  writer.varlong(2 ** 40);
  equal(hex(writer.view()), "808080808040");
});

Deno.test("ByteWriter writes big-endian integers, strings and grows as needed", () => {
  const writer = new ByteWriter(2);
  writer.int8(-1).int16(258).int32(-2).int64(2n ** 40n).string("hé").string(null);
  equal(
    hex(writer.view()),
    "ff" + "0102" + "fffffffe" + "0000010000000000" + "000368c3a9" + "ffff",
  );
  writer.int32At(1, 0x01020304);
  equal(hex(writer.view().subarray(1, 5)), "01020304");
  writer.reset();
  equal(writer.length, 0);
});

Deno.test("ByteReader reads what ByteWriter wrote and names what is missing", () => {
  const writer = new ByteWriter();
  writer.int8(7).int16(-3).int32(70000).int64(-5).string("topic").string(null).int32(2).int32(1)
    .int32(2);
  const reader = new ByteReader(writer.view());
  deepEqual(
    [
      reader.int8(),
      reader.int16(),
      reader.int32(),
      reader.int64(),
      reader.string(),
      reader.string(),
    ],
    [7, -3, 70000, -5n, "topic", null],
  );
  deepEqual(reader.array((r) => r.int32()), [1, 2]);
  equal(reader.remaining, 0);
  throws(() => reader.int32("broker port"), (e) =>
    e instanceof KafkaDecodeError &&
    e.message === "the response ended early: broker port needs 4 bytes at offset 36, 0 left");
  const liar = new ByteWriter();
  liar.int32(1_000_000);
  throws(
    () => new ByteReader(liar.view()).array((r) => r.int8(), "Metadata brokers"),
    /Metadata brokers claims 1000000 entries in 0 bytes/,
  );
});
