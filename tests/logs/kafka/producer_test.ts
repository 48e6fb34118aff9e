import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { KafkaConnectionError } from "../../../src/logs/kafka/connection.ts";
import { PartitionProducer } from "../../../src/logs/kafka/producer.ts";
import { KafkaProtocolError } from "../../../src/logs/kafka/protocol.ts";
import { consumeAll, ledTopic, startKafka } from "../../support/kafka.ts";
import { Kafka, logLevel, Partitioners } from "../../support/kafkajs.ts";
import { freePorts } from "../../support/ports.ts";
import { testNoTimerLeftPending } from "../../support/timers.ts";

function producer(brokers: string[], topic: string, key = "svc-1"): PartitionProducer {
  return new PartitionProducer({
    brokers: () => Promise.resolve(brokers),
    clientId: "test",
    topic,
    key: new TextEncoder().encode(key),
    connectTimeoutMs: 2_000,
    requestTimeoutMs: 5_000,
  });
}

/**
 * Connects `p`, which creates its topic when needed, and waits until the broker leads the topic's
 * partitions: the steps below test the producer, not a broker that is still taking a new
 * partition over (the shipper retries what the broker refuses meanwhile, its own tests show it).
 */
async function connectToLedTopic(p: PartitionProducer, bootstrap: string, topic: string) {
  await p.connect();
  await ledTopic(bootstrap, topic);
}

Deno.test("PartitionProducer against a real Kafka broker", async (t) => {
  await using kafka = await startKafka();

  await t.step("creates the topic, pipelines batches and keeps their order", async () => {
    const topic = `p-${crypto.randomUUID().slice(0, 8)}`;
    const p = producer([kafka.bootstrap], topic);
    await connectToLedTopic(p, kafka.bootstrap, topic);
    const results = [];
    for (let b = 0; b < 5; b++) {
      const sent = await p.produce(Date.now(), b * 100, (batch) => {
        for (let i = 0; i < 100; i++) batch.add(Date.now(), JSON.stringify({ b, i }));
      });
      equal(sent.count, 100);
      results.push(sent.result);
    }
    const offsets = (await Promise.all(results)).map((r) => Number(r.baseOffset));
    deepEqual(offsets, [0, 100, 200, 300, 400]);
    await p.close();
    const records = await consumeAll(kafka.bootstrap, topic, (r) => r.length >= 500);
    deepEqual(
      records.map((r) => r.value),
      Array.from({ length: 500 }, (_, n) => ({ b: Math.floor(n / 100), i: n % 100 })),
    );
    ok(records.every((r) => r.key === "svc-1"));
  });

  await t.step("is idempotent: the broker drops a batch sent again, refuses a gap", async () => {
    const topic = `i-${crypto.randomUUID().slice(0, 8)}`;
    const p = producer([kafka.bootstrap], topic);
    await connectToLedTopic(p, kafka.bootstrap, topic);
    ok(p.idempotent, "the broker gave a producer id");
    equal(p.notIdempotentBecause, "");
    const send = (baseSequence: number, first: number) =>
      p.produce(Date.now(), baseSequence, (batch) => {
        for (let i = first; i < first + 10; i++) batch.add(Date.now(), JSON.stringify({ i }));
      });
    const sent = [await send(0, 0), await send(10, 10), await send(0, 0)];
    equal(Number((await sent[0]!.result).baseOffset), 0);
    equal(Number((await sent[1]!.result).baseOffset), 10);
    // The copy is acknowledged (Kafka answers a duplicate with the offset it was written at, or
    // DUPLICATE_SEQUENCE_NUMBER on old brokers) and not written again.
    await sent[2]!.result.catch((e) => {
      if (!(e instanceof KafkaProtocolError && e.code === 46)) throw e;
    });
    await rejects(
      (await send(50, 50)).result,
      (e) => e instanceof KafkaProtocolError && /OUT_OF_ORDER_SEQUENCE_NUMBER/.test(e.message),
    );
    await p.close();
    p.renewIdentity();
    await p.connect();
    equal(Number((await (await send(0, 20)).result).baseOffset), 20, "a new id starts at 0");
    await p.close();
    const records = await consumeAll(kafka.bootstrap, topic, (r) => r.length >= 30);
    deepEqual(records.map((r) => r.value.i), Array.from({ length: 30 }, (_, i) => i));
  });

  await t.step("sends to the partition Kafka's default partitioner picks for the key", async () => {
    const topic = `m-${crypto.randomUUID().slice(0, 8)}`;
    const admin = new Kafka({ brokers: [kafka.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 5 }], waitForLeaders: true });
      const partitioner = Partitioners.DefaultPartitioner();
      const partitionMetadata = Array.from({ length: 5 }, (_, i) => ({
        partitionId: i,
        leader: 1,
        partitionErrorCode: 0,
        replicas: [1],
        isr: [1],
      }));
      for (const key of ["svc-1", "web-7f3a", "api-0"]) {
        const p = producer([kafka.bootstrap], topic, key);
        await connectToLedTopic(p, kafka.bootstrap, topic);
        await (await p.produce(Date.now(), 0, (batch) => batch.add(Date.now(), key))).result;
        equal(p.partition, partitioner({ topic, partitionMetadata, message: { key, value: "" } }));
        await p.close();
      }
      const offsets = await admin.fetchTopicOffsets(topic);
      equal(offsets.reduce((sum, o) => sum + Number(o.high), 0), 3);
    } finally {
      await admin.disconnect();
    }
  });

  await t.step("tries every bootstrap broker and says why each failed", async () => {
    const [dead] = await freePorts(1);
    const topic = `b-${crypto.randomUUID().slice(0, 8)}`;
    const p = producer([`127.0.0.1:${dead}`, kafka.bootstrap], topic);
    await connectToLedTopic(p, kafka.bootstrap, topic);
    await (await p.produce(Date.now(), 0, (batch) => batch.add(Date.now(), "via the second")))
      .result;
    await p.close();
    const none = producer([`127.0.0.1:${dead}`], topic);
    await rejects(none.connect(), (e) =>
      e instanceof KafkaConnectionError &&
      e.message.startsWith(`cannot connect to 127.0.0.1:${dead}: `));
  });

  await t.step("a batch over the broker's limit is refused with MESSAGE_TOO_LARGE", async () => {
    const topic = `l-${crypto.randomUUID().slice(0, 8)}`;
    const p = producer([kafka.bootstrap], topic);
    await connectToLedTopic(p, kafka.bootstrap, topic);
    const { result } = await p.produce(Date.now(), 0, (batch) => {
      batch.add(Date.now(), "x".repeat(2 * 1024 * 1024));
    });
    await rejects(result, (e) =>
      e instanceof KafkaProtocolError && !e.retriable &&
      /Produce to .* failed: (MESSAGE_TOO_LARGE|RECORD_LIST_TOO_LARGE)/.test(e.message));
    await p.close();
  });

  await t.step("an invalid topic name is a clear, final error", async () => {
    const p = producer([kafka.bootstrap], "bad topic name!");
    await rejects(p.connect(), (e) =>
      e instanceof KafkaProtocolError && !e.retriable &&
      /Metadata for topic bad topic name! .* INVALID_TOPIC_EXCEPTION/.test(e.message));
  });
});

testNoTimerLeftPending();
