import { deepEqual, equal, notEqual, ok, rejects } from "node:assert/strict";
import { brokerAddress, discoverBrokers } from "../../src/logs/zookeeper_discovery.ts";
import { consumeAll, startZooKeeperKafka } from "../support/kafka.ts";
import { freePorts } from "../support/ports.ts";
import { startPilot, tempDir } from "../support/pilot.ts";

Deno.test("brokerAddress() reads the endpoint of a broker registration that speaks the protocol", () => {
  equal(
    brokerAddress('{"endpoints":["SSL://h:9093","PLAINTEXT://10.0.0.7:9092"],"host":"x","port":1}'),
    "10.0.0.7:9092",
  );
  equal(brokerAddress('{"endpoints":["INTERNAL://k1:19092"]}'), "k1:19092");
  const secure = JSON.stringify({
    endpoints: ["INTERNAL://k1:19092", "EXTERNAL://k1.example:9094", "SSL://k1:9093"],
    listener_security_protocol_map: {
      INTERNAL: "PLAINTEXT",
      EXTERNAL: "SASL_SSL",
      SSL: "SSL",
    },
  });
  equal(brokerAddress(secure), "k1:19092");
  equal(brokerAddress(secure, "SASL_SSL"), "k1.example:9094", "by the listener map");
  equal(brokerAddress(secure, "SSL"), "k1:9093");
  equal(brokerAddress('{"endpoints":["SSL://h:9093"]}', "SASL_PLAINTEXT"), "h:9093", "the first");
  equal(brokerAddress('{"host":"old","port":9092}'), "old:9092");
  equal(brokerAddress("not json"), undefined);
  equal(brokerAddress("{}"), undefined);
});

Deno.test("discoverBrokers() fails clearly when ZooKeeper does not answer", async () => {
  const [port] = await freePorts(1);
  await rejects(
    discoverBrokers([`127.0.0.1:${port}`], "/", { timeoutMs: 500 }),
    /ZooKeeper 127\.0\.0\.1:\d+ did not answer within 500 ms/,
  );
  // node-zookeeper-client's last retry timer (at most its 100 ms spin delay) cannot be cancelled.
  await new Promise((r) => setTimeout(r, 300));
});

Deno.test("a pilot whose ZooKeeper does not answer says Kafka is unreachable, naming ZooKeeper", async () => {
  const [port] = await freePorts(1);
  await using pilot = startPilot({ KAFKA: `zk://127.0.0.1:${port}` }, ["sleep", "600"]);
  await pilot.waitForLog(
    /\[WRN\] amp-pilot\.kafka: Kafka is unreachable \(ZooKeeper 127\.0\.0\.1:\d+ did not answer within 5000 ms\); buffering logs in memory/,
    30_000,
  );
  ok(!/internal error/.test(pilot.stderr()), pilot.stderr());
});

Deno.test("ZooKeeper discovery against a real Kafka 3.9 cluster", async (t) => {
  await using cluster = await startZooKeeperKafka("/kafka");

  await t.step("discoverBrokers() finds the broker registered under the chroot", async () => {
    deepEqual(await discoverBrokers([cluster.zookeeper], "/kafka"), [cluster.bootstrap]);
    await rejects(
      discoverBrokers([cluster.zookeeper], "/", { timeoutMs: 3000 }),
      /no \/brokers\/ids/,
    );
  });

  await t.step("a pilot with KAFKA=zk://… ships its records to the discovered broker", async () => {
    const topic = `zk-${crypto.randomUUID().slice(0, 8)}`;
    await using pilot = startPilot(
      { KAFKA: `zk://${cluster.zookeeper}/kafka`, KAFKA_TOPIC: topic, AMPPILOT_LOGLEVEL: "info" },
      ["sh", "-c", "echo via zookeeper"],
    );
    equal((await pilot.status).code, 0);
    const records = await consumeAll(
      cluster.bootstrap,
      topic,
      (r) => r.some((x) => x.value.message === "via zookeeper"),
    );
    ok(records.some((x) => x.value.message === "via zookeeper"), pilot.stderr());
    ok(/ZooKeeper lists the Kafka brokers 127\.0\.0\.1:\d+/.test(pilot.stderr()), pilot.stderr());
  });

  await t.step("when every known broker is gone, the pilot asks ZooKeeper again", async () => {
    await using dir = await tempDir();
    const flag = `${dir.path}/moved`;
    const topic = `zk-${crypto.randomUUID().slice(0, 8)}`;
    const script = `echo before; while [ ! -e ${flag} ]; do sleep 0.1; done; echo after; sleep 600`;
    await using pilot = startPilot(
      { KAFKA: `zk://${cluster.zookeeper}/kafka`, KAFKA_TOPIC: topic, AMPPILOT_LOGLEVEL: "info" },
      ["sh", "-c", script],
    );
    const mateLines = (r: { value: Record<string, unknown> }[]) =>
      r.filter((x) => x.value.stream === "stdout").map((x) => x.value.message);
    await consumeAll(cluster.bootstrap, topic, (r) => mateLines(r).includes("before"));
    const before = cluster.bootstrap;
    await cluster.moveBroker();
    notEqual(cluster.bootstrap, before, "the broker's old address is gone");
    await Deno.writeTextFile(flag, "");
    const records = await consumeAll(
      cluster.bootstrap,
      topic,
      (r) => mateLines(r).includes("after"),
      60_000,
    );
    deepEqual([...new Set(mateLines(records))], ["before", "after"]);
    const listed = [...pilot.stderr().matchAll(/ZooKeeper lists the Kafka brokers (\S+)/g)]
      .map((m) => m[1]);
    deepEqual([listed[0], listed.at(-1)], [before, cluster.bootstrap], pilot.stderr());
    pilot.signal("SIGTERM");
    await pilot.status;
  });
});
