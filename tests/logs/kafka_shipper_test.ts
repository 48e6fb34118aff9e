import { deepEqual, equal, ok } from "node:assert/strict";
import { KafkaShipper } from "../../src/logs/kafka_shipper.ts";
import { eventually } from "../support/eventually.ts";
import { startFaultProxy } from "../support/fault_proxy.ts";
import { consumeAll, startKafka } from "../support/kafka.ts";
import { Kafka, logLevel } from "../support/kafkajs.ts";
import { freePorts } from "../support/ports.ts";
import { META } from "../support/record_meta.ts";

async function topicEnd(bootstrap: string, topic: string): Promise<number> {
  const admin = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, o) => sum + Number(o.high), 0);
  } finally {
    await admin.disconnect();
  }
}

Deno.test("KafkaShipper through a proxy that loses Kafka's answers", async (t) => {
  const [port] = await freePorts(1);
  await using proxy = startFaultProxy(port!);
  await using kafka = await startKafka({ port, advertisedPort: proxy.port });

  /** A shipper to a new topic through the proxy, once it has delivered "line 0". */
  async function connectedShipper(maxRecords: number) {
    const topic = `d-${crypto.randomUUID().slice(0, 8)}`;
    const warnings: string[] = [];
    const shipper = new KafkaShipper({
      brokers: [`127.0.0.1:${proxy.port}`],
      topic,
      meta: META,
      maxRecords,
      maxBytes: 64 * 1024 * 1024,
      onDuplicatesPossible: (reason) => warnings.push(reason),
    });
    shipper.start();
    shipper.push("stdout", "line 0");
    await eventually(() => equal(shipper.sent, 1), 20_000);
    return { topic, shipper, warnings };
  }

  await t.step("Produce answers lost on the way write nothing twice", async () => {
    const { topic, shipper, warnings } = await connectedShipper(100_000);
    const connections = proxy.connections;
    try {
      let pushed = 1;
      let lost = 0;
      // Several rounds of lines, so that several batches are in flight when an answer is lost,
      // and more until it is: how many Produce requests a round makes depends on the machine's
      // speed (a busy machine gathers more lines into each batch).
      for (const lose of [2, 1, 3]) {
        proxy.loseProduceAnswer(lose);
        lost++;
        const until = Date.now() + 20_000;
        for (let round = 0; round < 8 || proxy.answersLost < lost; round++) {
          ok(Date.now() < until, `answer ${lose} from now was not lost within 20 s`);
          for (let i = 0; i < 400; i++) shipper.push("stdout", `line ${pushed++}`);
          await new Promise((r) => setTimeout(r, round < 8 ? 3 : 20));
        }
        await eventually(() => equal(shipper.sent, pushed), 20_000);
      }
      equal(proxy.answersLost, 3, "three answers were lost");
      ok(proxy.connections >= connections + 3, "the shipper reconnected after each");
      deepEqual(warnings, []);
      equal(await topicEnd(kafka.bootstrap, topic), pushed, "the topic holds each line once");
      const records = await consumeAll(kafka.bootstrap, topic, (r) => r.length >= pushed);
      deepEqual(
        records.map((r) => r.value.message),
        Array.from({ length: pushed }, (_, i) => `line ${i}`),
      );
    } finally {
      await shipper.close(1_000);
    }
  });

  await t.step(
    "a lost batch dropped meanwhile from the full buffer: a new producer id",
    async () => {
      const { topic, shipper, warnings } = await connectedShipper(500);
      const lost = proxy.answersLost;
      try {
        proxy.refuseConnections(true);
        proxy.loseProduceAnswer(1);
        let pushed = 1;
        for (let i = 0; i < 300; i++) shipper.push("stdout", `line ${pushed++}`);
        await eventually(() => equal(proxy.answersLost, lost + 1));
        // Kafka is out of reach: the buffer (500 records) drops the 300 lines sent but not
        // acknowledged, and 500 more.
        for (let i = 0; i < 1_000; i++) shipper.push("stdout", `line ${pushed++}`);
        equal(shipper.dropped, 800);
        proxy.refuseConnections(false);
        await eventually(() => equal(shipper.buffered + shipper.dropped, 0), 20_000);
        deepEqual(warnings, [
          "sending starts over with a new producer id " +
          "(records of a batch to send again were dropped from the full buffer)",
        ]);
        const records = await consumeAll(kafka.bootstrap, topic, (r) => r.length >= 802);
        const dropped = records.filter((r) => r.value.dropped !== undefined);
        deepEqual(dropped.map((r) => r.value.dropped), [800]);
        const lines = records.filter((r) => r.value.stream === "stdout").map((r) =>
          r.value.message
        );
        deepEqual(lines, [
          ...Array.from({ length: 301 }, (_, i) => `line ${i}`), // the lost answer's batch was written
          ...Array.from({ length: 500 }, (_, i) => `line ${801 + i}`),
        ]);
      } finally {
        await shipper.close(1_000);
      }
    },
  );
});
