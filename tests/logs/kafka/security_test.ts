import { deepEqual, equal, rejects } from "node:assert/strict";
import { KafkaConnectionError } from "../../../src/logs/kafka/connection.ts";
import { PartitionProducer } from "../../../src/logs/kafka/producer.ts";
import type { SaslCredentials } from "../../../src/logs/kafka/sasl.ts";
import { consumeAll, ledTopic, startKafka } from "../../support/kafka.ts";
import { startPilot } from "../../support/pilot.ts";

function producer(
  broker: string,
  topic: string,
  security: { tls?: { caCerts: string[] }; sasl?: SaslCredentials },
): PartitionProducer {
  return new PartitionProducer({
    brokers: () => Promise.resolve([broker]),
    clientId: "test",
    topic,
    key: new TextEncoder().encode("svc-1"),
    connectTimeoutMs: 5_000,
    requestTimeoutMs: 5_000,
    ...security,
  });
}

Deno.test("Kafka over TLS and SASL: the producer and the pilot, against a real broker", async (t) => {
  await using kafka = await startKafka({ secure: true });
  const secure = kafka.secure!;
  const tls = { caCerts: [await Deno.readTextFile(secure.caFile)] };
  const { username, password } = secure;

  async function sendsOne(broker: string, security: Parameters<typeof producer>[2]) {
    const topic = `s-${crypto.randomUUID().slice(0, 8)}`;
    await ledTopic(kafka.bootstrap, topic); // not a topic its broker is still taking over
    const p = producer(broker, topic, security);
    await p.connect();
    await (await p.produce(Date.now(), 0, (batch) => batch.add(Date.now(), '{"n":1}'))).result;
    await p.close();
    const records = await consumeAll(kafka.bootstrap, topic, (r) => r.length >= 1);
    equal(records.length, 1);
  }

  await t.step("TLS, trusting the broker's CA", () => sendsOne(secure.ssl, { tls }));
  for (const mechanism of ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] as const) {
    await t.step(
      `TLS and SASL ${mechanism}`,
      () => sendsOne(secure.saslSsl, { tls, sasl: { mechanism, username, password } }),
    );
  }

  await t.step(
    "a TLS listener without TLS, or with an unknown CA: errors that say so",
    async () => {
      await rejects(
        producer(secure.ssl, "x", {}).connect(),
        (e) =>
          e instanceof KafkaConnectionError &&
          /127\.0\.0\.1:\d+ .*the broker answered with TLS: it expects a TLS connection/.test(
            e.message,
          ),
      );
      await rejects(
        producer(secure.ssl, "x", { tls: { caCerts: [] } }).connect(),
        (e) =>
          e instanceof KafkaConnectionError &&
          /the TLS handshake failed with 127\.0\.0\.1:\d+: .*UnknownIssuer/.test(e.message),
      );
    },
  );

  await t.step("a wrong password is refused, and said so", async () => {
    for (const mechanism of ["PLAIN", "SCRAM-SHA-256"] as const) {
      const p = producer(secure.saslSsl, "x", {
        tls,
        sasl: { mechanism, username, password: "wrong" },
      });
      await rejects(p.connect(), (e) =>
        e instanceof KafkaConnectionError &&
        new RegExp(`SASL ${mechanism} login as "pilot" on 127\\.0\\.0\\.1:\\d+ failed: .*`)
          .test(e.message));
    }
  });

  const pilotEnv = (topic: string, password: string) => ({
    KAFKA: secure.saslSsl,
    KAFKA_TOPIC: topic,
    AMPPILOT_KAFKA_CACERT: secure.caFile,
    AMPPILOT_KAFKA_SASL_MECHANISM: "scram-sha-256",
    AMPPILOT_KAFKA_USERNAME: username,
    AMPPILOT_KAFKA_PASSWORD: password,
    AMPPILOT_LOGLEVEL: "info",
  });

  await t.step("a pilot configured by the environment ships over TLS with SCRAM", async () => {
    const topic = `p-${crypto.randomUUID().slice(0, 8)}`;
    await ledTopic(kafka.bootstrap, topic); // not a topic its broker is still taking over
    await using pilot = startPilot(pilotEnv(topic, password), ["sh", "-c", "echo one; echo two"]);
    equal((await pilot.status).code, 0);
    const records = await consumeAll(
      kafka.bootstrap,
      topic,
      (r) => r.filter((x) => x.value.stream === "stdout").length >= 2,
    );
    deepEqual(
      records.filter((r) => r.value.stream === "stdout").map((r) => r.value.message),
      ["one", "two"],
    );
  });

  await t.step("with a wrong password the pilot says why and the mate runs on", async () => {
    await using pilot = startPilot(pilotEnv("x", "wrong"), ["sh", "-c", "echo still here"]);
    await pilot.waitForLog(
      /Kafka is unreachable \(SASL SCRAM-SHA-256 login as "pilot" on 127\.0\.0\.1:\d+ failed: /,
    );
    equal((await pilot.status).code, 0);
    equal(pilot.stdout(), "still here\n");
  });
});
