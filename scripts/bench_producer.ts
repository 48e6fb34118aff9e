/**
 * The pilot's Kafka producer alone, for `deno task bench`: sends records with nothing else to do
 * (no pipe to read, no record to build). Run as its own process, so that its figure, like the
 * pilot's, includes a Deno start and a cold JIT:
 * `deno run -A scripts/bench_producer.ts <bootstrap> <topic> <records>` sends `records` records
 * shaped like a pilot's and exits when all are stored.
 *
 * @module
 */

import { PartitionProducer } from "../src/logs/kafka/producer.ts";
import { recordJson, type RecordMetadata } from "../src/logs/record.ts";

/** A 100-byte line (99 characters and the newline). */
export const LINE = "x".repeat(99);

/** Who a benchmarked pilot says it is: its generated name and id, no container, loopback. */
const PILOT_LIKE: RecordMetadata = {
  serviceName: "mate-0123abcd",
  serviceId: "mate-0123abcd",
  nodeId: "",
  containerId: "",
  containerShortId: "",
  hostIp: "127.0.0.1",
};

/** A record of one `LINE` from stdout as a benchmarked pilot encodes it (about the same size). */
export function pilotLikeRecord(): string {
  return recordJson(PILOT_LIKE, { seq: 0, stream: "stdout", timeMs: Date.now(), line: LINE });
}

/**
 * Produces `count` records (with the pilot's own producer) and waits for them to be stored; the
 * value is a warm-up record unless given.
 */
export async function produce(
  bootstrap: string,
  topic: string,
  count: number,
  value: string = JSON.stringify({ stream: "warm-up", message: LINE }),
): Promise<void> {
  const producer = new PartitionProducer({
    brokers: () => Promise.resolve([bootstrap]),
    clientId: "bench",
    topic,
    key: new TextEncoder().encode(PILOT_LIKE.serviceId),
    connectTimeoutMs: 5_000,
    requestTimeoutMs: 30_000,
  });
  await producer.connect();
  const pending: Promise<unknown>[] = [];
  try {
    for (let sent = 0; sent < count;) {
      const { count: n, result } = await producer.produce(Date.now(), sent, (batch) => {
        for (let i = sent; i < count && batch.add(Date.now(), value, 900 * 1024); i++);
      });
      sent += n;
      pending.push(result);
      if (pending.length >= 4) await pending.shift();
    }
    await Promise.all(pending);
  } finally {
    await producer.close();
  }
}

if (import.meta.main) {
  const [bootstrap, topic, records] = Deno.args;
  await produce(bootstrap!, topic!, Number(records), pilotLikeRecord());
}
