import { deepEqual, equal, ok } from "node:assert/strict";
import { KafkaShipper } from "../../src/logs/kafka_shipper.ts";
import { eventually } from "../support/eventually.ts";
import { startFaultProxy } from "../support/fault_proxy.ts";
import { consumeAll, startKafka } from "../support/kafka.ts";
import { Kafka, logLevel } from "../support/kafkajs.ts";
import { freePorts } from "../support/ports.ts";
import { META } from "../support/record_meta.ts";
import { testNoTimerLeftPending } from "../support/timers.ts";

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
      // Several rounds of lines, so that several batches are in flight when an answer is lost.
      for (const lose of [2, 1, 3]) {
        proxy.loseProduceAnswer(lose);
        for (let round = 0; round < 8; round++) {
          const requests = proxy.produceRequests;
          for (let i = 0; i < 400; i++) shipper.push("stdout", `line ${pushed++}`);
          // One request per round at least, whatever the machine's speed: the loss happens.
          await eventually(() => ok(proxy.produceRequests > requests), 20_000);
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
    "a batch refused with NOT_LEADER_OR_FOLLOWER, batches behind it in flight: each line once, in order",
    async () => {
      const { topic, shipper, warnings } = await connectedShipper(100_000);
      const refusedBefore = proxy.produceRefused;
      const requestsBefore = proxy.produceRequests;
      try {
        // "line 0" is written, so the broker knows this producer and its sequence numbers.
        proxy.refuseNextProduce(6); // NOT_LEADER_OR_FOLLOWER: the leader moved, nothing written
        // About 4 MB at once: five batches of up to 900 KB. With the answers held back, the
        // shipper writes four (its limit of batches in flight) and waits for the first answer.
        proxy.holdProduceAnswers(true);
        const pad = "x".repeat(1_000);
        let pushed = 1;
        for (let i = 0; i < 4_000; i++) shipper.push("stdout", `line ${pushed++} ${pad}`);
        await eventually(() => equal(proxy.produceRequests, requestsBefore + 4), 20_000);
        proxy.holdProduceAnswers(false);
        await eventually(() => equal(shipper.sent, pushed), 20_000);
        // The three behind it were refused as out of order too (the broker lacked the first).
        equal(proxy.sentBehindRefusal, 3, "three batches were in flight behind the refused one");
        equal(proxy.produceRefused, refusedBefore + 1, "one batch was refused");
        deepEqual(warnings, [], "no duplicates possible: nothing had been written");
        equal(shipper.dropped, 0);
        equal(await topicEnd(kafka.bootstrap, topic), pushed, "the topic holds each line once");
        const records = await consumeAll(kafka.bootstrap, topic, (r) => r.length >= pushed);
        deepEqual(
          records.map((r) => r.value.message),
          Array.from({ length: pushed }, (_, i) => i === 0 ? "line 0" : `line ${i} ${pad}`),
        );
      } finally {
        proxy.refuseNextProduce(undefined);
        proxy.holdProduceAnswers(false);
        await shipper.close(1_000);
      }
    },
  );

  await t.step(
    "a lost batch dropped meanwhile from the full buffer: the next batch asks Kafka, exactly",
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
        // acknowledged (not counted: Kafka may have them), and 500 more (never sent: counted).
        for (let i = 0; i < 1_000; i++) shipper.push("stdout", `line ${pushed++}`);
        equal(shipper.dropped, 500);
        proxy.refuseConnections(false);
        await eventually(() => equal(shipper.buffered + shipper.dropped, 0), 20_000);
        // The next batch, numbered after the lost one, was accepted: Kafka had written it.
        deepEqual(warnings, []);
        equal(shipper.sent, pushed - 500);
        const records = await consumeAll(kafka.bootstrap, topic, (r) => r.length >= 802);
        const dropped = records.filter((r) => r.value.dropped !== undefined);
        deepEqual(dropped.map((r) => r.value.dropped), [500], "exactly the lines never written");
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

  await t.step(
    "a lost request dropped meanwhile from the full buffer: Kafka refuses the next, exactly",
    async () => {
      const { topic, shipper, warnings } = await connectedShipper(500);
      const lost = proxy.requestsLost;
      try {
        proxy.refuseConnections(true);
        proxy.loseProduceRequest();
        let pushed = 1;
        for (let i = 0; i < 300; i++) shipper.push("stdout", `line ${pushed++}`);
        await eventually(() => equal(proxy.requestsLost, lost + 1));
        for (let i = 0; i < 1_000; i++) shipper.push("stdout", `line ${pushed++}`);
        equal(shipper.dropped, 500, "the 300 sent are not counted yet: Kafka may have them");
        proxy.refuseConnections(false);
        await eventually(() => equal(shipper.buffered + shipper.dropped, 0), 20_000);
        // The next batch was refused as out of order: Kafka never had the 300; sending started
        // over from the oldest record held, with nothing written twice (no warning).
        deepEqual(warnings, []);
        const records = await consumeAll(kafka.bootstrap, topic, (r) => r.length >= 502);
        const dropped = records.filter((r) => r.value.dropped !== undefined);
        equal(dropped.reduce((n, r) => n + Number(r.value.dropped), 0), 800);
        const lines = records.filter((r) => r.value.stream === "stdout").map((r) =>
          r.value.message
        );
        deepEqual(lines, ["line 0", ...Array.from({ length: 500 }, (_, i) => `line ${801 + i}`)]);
      } finally {
        await shipper.close(1_000);
      }
    },
  );

  /** Mate lines in the topic and the sum of the dropped counts its records report. */
  async function delivered(topic: string, until: (r: Rec[]) => boolean) {
    const records = await consumeAll(kafka.bootstrap, topic, until);
    const lines = records.filter((r) => r.value.stream === "stdout").map((r) => r.value.message);
    const reported = records.reduce((n, r) => n + Number(r.value.dropped ?? 0), 0);
    return { lines, reported };
  }

  await t.step(
    "records dropped while their batch waits for Kafka's answer are not counted as lost",
    async () => {
      const { topic, shipper } = await connectedShipper(200);
      let pushed = 1;
      try {
        proxy.holdProduceAnswers(true);
        for (let i = 0; i < 150; i++) shipper.push("stdout", `line ${pushed++}`);
        await eventually(() => equal(proxy.answersHeld, 1)); // written by Kafka, not answered
        // The buffer (200) drops the 150 sent lines (Kafka has them) and 200 never sent.
        for (let i = 0; i < 400; i++) shipper.push("stdout", `line ${pushed++}`);
        equal(shipper.dropped, 200);
        proxy.holdProduceAnswers(false);
        await eventually(() => equal(shipper.buffered + shipper.dropped, 0), 20_000);
      } finally {
        proxy.holdProduceAnswers(false);
        const loss = await shipper.close(3_000);
        deepEqual(loss, { dropped: 0, held: 0, unconfirmed: 0 });
      }
      const { lines, reported } = await delivered(topic, (r) => r.length >= 352);
      deepEqual(lines, [
        ...Array.from({ length: 151 }, (_, i) => `line ${i}`),
        ...Array.from({ length: 200 }, (_, i) => `line ${351 + i}`),
      ]);
      equal(reported, 200);
      equal(lines.length + reported, pushed, "delivered + reported dropped = written");
    },
  );

  await t.step(
    "at exit, the loss is what was dropped and not reported plus what is held: it adds up",
    async () => {
      const { topic, shipper } = await connectedShipper(200);
      let pushed = 1;
      for (let round = 0; round < 5; round++) {
        for (let i = 0; i < 100; i++) shipper.push("stdout", `line ${pushed++}`);
        await eventually(() => equal(shipper.buffered, 0), 20_000);
      }
      proxy.refuseConnections(true);
      proxy.loseProduceRequest(); // the connection goes: Kafka is away from now on
      for (let round = 0; round < 10; round++) {
        for (let i = 0; i < 100; i++) shipper.push("stdout", `line ${pushed++}`);
        await new Promise((r) => setTimeout(r, 2));
      }
      let loss;
      try {
        loss = await shipper.close(300);
      } finally {
        proxy.refuseConnections(false);
      }
      equal(loss.held, 200);
      const { lines, reported } = await delivered(topic, (r) => r.length >= 501);
      // The lost request's records that the buffer dropped are "unconfirmed": Kafka never
      // answered for them (here it never had them).
      equal(lines.length + reported + loss.dropped + loss.held + loss.unconfirmed, pushed);
      const numbers = lines.map((l) => Number(String(l).slice(5)));
      ok(numbers.every((n, i) => i === 0 || n > numbers[i - 1]!), "in order, none twice");
      deepEqual(numbers.slice(0, 501), Array.from({ length: 501 }, (_, i) => i));
    },
  );
});

type Rec = Awaited<ReturnType<typeof consumeAll>>[number];

testNoTimerLeftPending();
