import { deepEqual, equal } from "node:assert/strict";
import { Buffer } from "node:buffer";
import { RecordBatchBuilder } from "../../../src/logs/kafka/record_batch.ts";
import { ByteWriter } from "../../../src/logs/kafka/wire.ts";
// kafkajs' own record batch decoder and CRC-32C: an independent reading of what we encode.
import Decoder from "npm:kafkajs@^2.2.4/src/protocol/decoder.js";
import decodeRecordBatch from "npm:kafkajs@^2.2.4/src/protocol/recordBatch/v0/decoder.js";
import kafkajsCrc32C from "npm:kafkajs@^2.2.4/src/protocol/recordBatch/crc32C/index.js";

const key = new TextEncoder().encode("svc-1");

interface Decoded {
  firstTimestamp: string;
  maxTimestamp: string;
  lastOffsetDelta: number;
  producerId: string;
  producerEpoch: number;
  firstSequence: number;
  records: { key: Buffer; value: Buffer; timestamp: string; offset: string; headers: object }[];
}

async function decode(bytes: Uint8Array): Promise<Decoded> {
  return await decodeRecordBatch(new Decoder(Buffer.from(bytes)));
}

Deno.test("RecordBatchBuilder writes a batch that kafkajs decodes record for record", async () => {
  const out = new ByteWriter(16);
  out.int32(12345); // something before the batch: it must start where the writer stood
  const batch = new RecordBatchBuilder(out, key, 1_700_000_000_000);
  const values = ["plain", "", "é 😀 unicode", JSON.stringify({ a: 1, b: "x".repeat(300) })];
  values.forEach((value, i) => batch.add(1_700_000_000_000 + i * 1000, value));
  batch.add(1_699_999_999_000, "earlier than the base");
  batch.finish();
  equal(batch.count, 5);
  const bytes = out.view().subarray(4);
  equal(batch.size, bytes.length);
  const decoded = await decode(bytes);
  deepEqual(
    decoded.records.map((r) => [r.key.toString(), r.value.toString(), r.timestamp, r.offset]),
    [
      ...values.map((v, i) => ["svc-1", v, String(1_700_000_000_000 + i * 1000), String(i)]),
      ["svc-1", "earlier than the base", "1699999999000", "4"],
    ],
  );
  equal(decoded.firstTimestamp, "1700000000000");
  equal(decoded.maxTimestamp, "1700000003000");
  equal(decoded.lastOffsetDelta, 4);
  equal(decoded.producerId, "-1");
  deepEqual(decoded.records[0]!.headers, {});
});

Deno.test("RecordBatchBuilder writes an idempotent producer's id, epoch and sequence", async () => {
  const out = new ByteWriter();
  const identity = { producerId: 4_000_000_123n, epoch: 7 };
  const batch = new RecordBatchBuilder(out, key, Date.now(), { identity, baseSequence: 2_000 });
  batch.add(Date.now(), "one");
  batch.add(Date.now(), "two");
  batch.finish();
  const decoded = await decode(out.view());
  equal(decoded.producerId, "4000000123");
  equal(decoded.producerEpoch, 7);
  equal(decoded.firstSequence, 2_000);
  deepEqual(decoded.records.map((r) => r.value.toString()), ["one", "two"]);
});

Deno.test("RecordBatchBuilder's CRC is kafkajs' CRC-32C of the batch from its attributes on", () => {
  const out = new ByteWriter();
  const batch = new RecordBatchBuilder(out, key, Date.now());
  for (let i = 0; i < 100; i++) batch.add(Date.now(), `line ${i}`);
  batch.finish();
  const bytes = out.view();
  const crc = new DataView(bytes.buffer, bytes.byteOffset).getUint32(17);
  equal(crc, kafkajsCrc32C(Buffer.from(bytes.subarray(21))) >>> 0);
  equal(new DataView(bytes.buffer, bytes.byteOffset).getInt32(8), bytes.length - 12, "length");
});

Deno.test("RecordBatchBuilder refuses a record that would pass the byte limit, never the first", () => {
  const out = new ByteWriter();
  const batch = new RecordBatchBuilder(out, key, Date.now());
  equal(batch.add(Date.now(), "x".repeat(500), 100), true, "the first record always goes in");
  const size = batch.size;
  equal(batch.add(Date.now(), "y", 100), false);
  equal(batch.size, size, "nothing written for a refused record");
  equal(batch.count, 1);
});
