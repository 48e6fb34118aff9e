import { equal } from "node:assert/strict";
import { murmur2, partitionForKey } from "../../../src/logs/kafka/murmur2.ts";
import { Partitioners } from "../../support/kafkajs.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("murmur2() matches the Java client's test vectors", () => {
  // org.apache.kafka.common.utils.UtilsTest#testMurmur2
  equal(murmur2(bytes("21")), -973932308);
  equal(murmur2(bytes("foobar")), -790332482);
  equal(murmur2(bytes("a-little-bit-long-string")), -985981536);
  equal(murmur2(bytes("a-little-bit-longer-string")), -1486304829);
  equal(murmur2(bytes("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8")), -58897971);
  equal(murmur2(Uint8Array.of(97, 98, 99)), 479470107);
});

Deno.test("partitionForKey() picks the partition kafkajs' default partitioner picks", () => {
  const partitioner = Partitioners.DefaultPartitioner();
  for (const partitions of [1, 2, 3, 7, 12, 50]) {
    const partitionMetadata = Array.from({ length: partitions }, (_, i) => ({
      partitionId: i,
      leader: 0,
      partitionErrorCode: 0,
      replicas: [0],
      isr: [0],
    }));
    for (let i = 0; i < 200; i++) {
      const key = `svc-${i}-${"x".repeat(i % 9)}`;
      const theirs = partitioner({ topic: "t", partitionMetadata, message: { key, value: "" } });
      equal(partitionForKey(bytes(key), partitions), theirs, `${key} over ${partitions}`);
    }
  }
});
