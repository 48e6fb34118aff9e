import { deepEqual, equal, match, notEqual, ok, rejects } from "node:assert/strict";
import { eventually } from "../support/eventually.ts";
import { brokerAddress, discoverBrokers } from "../../src/logs/zookeeper_discovery.ts";
import { consumeAll, ledTopic, startZooKeeperKafka } from "../support/kafka.ts";
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

Deno.test("brokerAddress() reads a registration of the wrong shape as none, never throwing", () => {
  for (
    const json of [
      "null",
      "[]",
      "7",
      '{"endpoints":"PLAINTEXT://h:9092"}',
      '{"endpoints":[7,null]}',
      '{"endpoints":[],"host":7,"port":9092}',
      '{"host":"h","port":"9092"}',
      '{"host":"h","port":99999}',
    ]
  ) {
    equal(brokerAddress(json), undefined, json);
  }
  equal(
    brokerAddress('{"endpoints":[7,"PLAINTEXT://h:9092"],"listener_security_protocol_map":null}'),
    "h:9092",
  );
});

/** A server of the test's own: each connection gets `answer` (or nothing), then is held. */
function misbehavingZooKeeper(
  answer: Uint8Array | undefined,
  hostname = "127.0.0.1",
) {
  const listener = Deno.listen({ hostname, port: 0 });
  const held: Deno.Conn[] = [];
  let closedByClient = 0;
  const serving = (async () => {
    for await (const conn of listener) {
      held.push(conn);
      (async () => {
        if (answer) await conn.write(answer).catch(() => {});
        const sink = new Uint8Array(4096);
        while ((await conn.read(sink).catch(() => null)) !== null) { /* the request */ }
        closedByClient++;
      })();
    }
  })();
  const port = (listener.addr as Deno.NetAddr).port;
  return {
    address: hostname.includes(":") ? `[${hostname}]:${port}` : `${hostname}:${port}`,
    /** Connections the client has closed. */
    closed: () => closedByClient,
    accepted: () => held.length,
    async [Symbol.asyncDispose]() {
      listener.close();
      await serving.catch(() => {});
      for (const conn of held) {
        try {
          conn.close();
        } catch { /* closed */ }
      }
    },
  };
}

Deno.test("discoverBrokers() names a refused ensemble at once, host by host", async () => {
  const [a, b] = await freePorts(2);
  await rejects(
    discoverBrokers([`127.0.0.1:${a}`, `127.0.0.1:${b}`], "/", { timeoutMs: 60_000 }),
    new RegExp(
      `^Error: ZooKeeper 127\\.0\\.0\\.1:${a},127\\.0\\.0\\.1:${b} could not be reached ` +
        `\\(127\\.0\\.0\\.1:${a}: Connection refused.*; 127\\.0\\.0\\.1:${b}: Connection refused.*\\)$`,
    ),
  );
});

Deno.test("discoverBrokers() gives up a ZooKeeper that never answers at its deadline, and closes the connection", async () => {
  await using zk = misbehavingZooKeeper(undefined);
  await rejects(
    discoverBrokers([zk.address], "/", { timeoutMs: 300 }),
    /^Error: ZooKeeper 127\.0\.0\.1:\d+ did not answer within 300 ms$/,
  );
  await eventually(() => equal(zk.closed(), 1, "the lookup's connection is closed"));
});

Deno.test("discoverBrokers() fails in one line on an answer that is not ZooKeeper's, whatever its size", async () => {
  const cases: [string, Uint8Array, RegExp][] = [
    ["an empty frame", new Uint8Array(4), /sent a bad answer \(ended early: the protocol version/],
    [
      "a negative length",
      new Uint8Array([0xff, 0xff, 0xff, 0xfc]),
      /sent a bad answer \(announced an answer of -4 bytes \(0 to 1048575 expected\)\)/,
    ],
    [
      "2 GiB announced",
      new Uint8Array([0x7f, 0xff, 0xff, 0xff, 1, 2, 3]),
      /sent a bad answer \(announced an answer of 2147483647 bytes/,
    ],
    [
      "HTTP",
      new TextEncoder().encode("HTTP/1.1 400 Bad Request\r\n\r\n"),
      /sent a bad answer \(announced an answer of 1213486160 bytes/,
    ],
  ];
  for (const [what, answer, expected] of cases) {
    await using zk = misbehavingZooKeeper(answer);
    const error = await discoverBrokers([zk.address], "/", { timeoutMs: 60_000 }).then(
      () => undefined,
      (e: Error) => e,
    );
    ok(error, what);
    match(
      error.message,
      /^ZooKeeper 127\.0\.0\.1:\d+ gave no session \(127\.0\.0\.1:\d+: /,
      what,
    );
    match(error.message, expected, what);
    ok(!error.message.includes("\n"), what);
    await eventually(() => equal(zk.closed(), 1, `${what}: the connection is closed`));
  }
});

Deno.test("discoverBrokers() gives a silent host its share of the deadline, then asks the next", async () => {
  await using silent = misbehavingZooKeeper(undefined);
  await using garbled = misbehavingZooKeeper(new Uint8Array(4));
  const error = await discoverBrokers([silent.address, garbled.address], "/", {
    timeoutMs: 6000,
  }).then(() => undefined, (e: Error) => e);
  match(
    error?.message ?? "",
    /^ZooKeeper \S+ gave no session \(127\.0\.0\.1:\d+: no answer within 3000 ms; 127\.0\.0\.1:\d+: sent a bad answer/,
  );
  equal(garbled.accepted(), 1, "the second host was asked");
  await eventually(() => equal(silent.closed(), 1, "the silent host's connection is closed"));
});

Deno.test("discoverBrokers() names ZooKeeper when the connection breaks after the session", async () => {
  // A session granted, then the connection closed before any answer to getChildren.
  const grant = new Uint8Array(4 + 36);
  new DataView(grant.buffer).setInt32(0, 36);
  new DataView(grant.buffer).setInt32(8, 4000);
  new DataView(grant.buffer).setInt32(20, 16);
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const serving = (async () => {
    const conn = await listener.accept();
    await conn.read(new Uint8Array(4096));
    await conn.write(grant);
    conn.close();
  })();
  try {
    await rejects(
      discoverBrokers([`127.0.0.1:${(listener.addr as Deno.NetAddr).port}`], "/", {
        timeoutMs: 60_000,
      }),
      // As the kernel has it: the end of the stream, or a reset when the request was refused.
      /^Error: ZooKeeper 127\.0\.0\.1:\d+ (closed the connection mid-answer|failed: (Connection reset by peer|Broken pipe) \(os error \d+\))$/,
    );
  } finally {
    await serving;
    listener.close();
  }
});

Deno.test("discoverBrokers() reaches an IPv6 ZooKeeper written [::1]:port", async () => {
  await using zk = misbehavingZooKeeper(new Uint8Array(4), "::1");
  await rejects(
    discoverBrokers([zk.address], "/", { timeoutMs: 60_000 }),
    /gave no session \(\[::1\]:\d+: sent a bad answer/,
  );
  equal(zk.accepted(), 1);
});

Deno.test("a pilot whose ZooKeeper does not answer says Kafka is unreachable, naming ZooKeeper", async () => {
  const [port] = await freePorts(1);
  await using pilot = startPilot({ KAFKA: `zk://127.0.0.1:${port}` }, ["sleep", "600"]);
  await pilot.waitForLog(
    /\[WRN\] amp-pilot\.kafka: Kafka is unreachable \(ZooKeeper 127\.0\.0\.1:\d+ could not be reached \(127\.0\.0\.1:\d+: Connection refused.*\)\); buffering logs in memory/,
    30_000,
  );
  ok(!/internal error/.test(pilot.stderr()), pilot.stderr());
});

Deno.test("a pilot whose ZooKeeper answers garbage runs on, buffering, and obeys SIGTERM", async () => {
  await using zk = misbehavingZooKeeper(new Uint8Array([0, 0, 0, 4, 0, 0, 0, 0]));
  await using pilot = startPilot({ KAFKA: `zk://${zk.address}` }, ["sleep", "600"]);
  await pilot.waitForLog(
    /Kafka is unreachable \(ZooKeeper 127\.0\.0\.1:\d+ gave no session \(127\.0\.0\.1:\d+: sent a bad answer \(ended early: the session timeout/,
    30_000,
  );
  pilot.signal("SIGTERM");
  equal((await pilot.status).code, 143, pilot.stderr());
  ok(!/Uncaught|internal error/.test(pilot.stderr()), pilot.stderr());
});

Deno.test("ZooKeeper discovery against a real Kafka 3.9 cluster", async (t) => {
  await using cluster = await startZooKeeperKafka("/kafka");

  await t.step("discoverBrokers() finds the broker registered under the chroot", async () => {
    deepEqual(await discoverBrokers([cluster.zookeeper], "/kafka"), [cluster.bootstrap]);
    const [refusing] = await freePorts(1);
    deepEqual(
      await discoverBrokers([`127.0.0.1:${refusing}`, cluster.zookeeper], "/kafka"),
      [cluster.bootstrap],
      "the next host of the ensemble answers for one that refuses",
    );
    await using silent = misbehavingZooKeeper(undefined);
    deepEqual(
      await discoverBrokers([silent.address, cluster.zookeeper], "/kafka", { timeoutMs: 10_000 }),
      [cluster.bootstrap],
      "the next host answers for one that accepts and never answers",
    );
    await rejects(
      discoverBrokers([cluster.zookeeper], "/", { timeoutMs: 3000 }),
      /no \/brokers\/ids/,
    );
  });

  await t.step("a pilot with KAFKA=zk://… ships its records to the discovered broker", async () => {
    const topic = `zk-${crypto.randomUUID().slice(0, 8)}`;
    await ledTopic(cluster.bootstrap, topic); // not a topic its broker is still taking over
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
