/**
 * A real Kafka broker for tests: the jars `deno task peers` gathered from Maven Central, run on
 * the machine's Java in KRaft mode (one node, broker and controller) on free loopback ports.
 *
 * @module
 */

import { Kafka, logLevel } from "./kafkajs.ts";
import { freePorts } from "./ports.ts";

/** Version of the broker the tests use. */
export const KAFKA_VERSION = "4.1.2";

/**
 * Settings of a one-broker cluster: internal topics with one replica, or consumer groups never
 * get a coordinator; no rebalance delay, so tests do not wait.
 */
const SINGLE_BROKER = [
  "num.partitions=1",
  "offsets.topic.replication.factor=1",
  "transaction.state.log.replication.factor=1",
  "transaction.state.log.min.isr=1",
  "group.initial.rebalance.delay.ms=0",
];

/** A running broker. */
export interface KafkaBroker extends AsyncDisposable {
  /** `127.0.0.1:<port>`. */
  readonly bootstrap: string;
  /** With the `secure` option: its TLS listeners and who may log in. */
  readonly secure: SecureListeners | undefined;
  /** Stops the broker, keeping its data and ports. */
  stop(): Promise<void>;
  /** Starts it again after {@linkcode stop}. */
  restart(): Promise<void>;
}

/** The folder of the broker's jars. */
export function kafkaLibs(version = KAFKA_VERSION): string {
  const cache = Deno.env.get("AMP_PILOT_CACHE") ?? `${Deno.env.get("HOME")}/.cache/amp-pilot`;
  return `${cache}/kafka-${version}/libs`;
}

async function java(args: string[], libs: string): Promise<string> {
  const { success, stdout, stderr } = await new Deno.Command("java", {
    args: ["-cp", `${libs}/*`, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(stdout);
  if (!success) throw new Error(`java ${args[0]} failed: ${new TextDecoder().decode(stderr)}`);
  return text;
}

/** Options of {@linkcode startKafka}. */
export interface KafkaOptions {
  /** The port it listens on (default: a free one). */
  readonly port?: number;
  /** The port it tells clients to connect to (default: its own), e.g. a proxy's. */
  readonly advertisedPort?: number;
  /**
   * Also listen with TLS (a certificate for 127.0.0.1 signed by a private CA): plain TLS, and
   * TLS with SASL PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 for one user.
   */
  readonly secure?: boolean;
}

/** The TLS listeners of a broker started with the `secure` option. */
export interface SecureListeners {
  /** `127.0.0.1:<port>` of the TLS listener without SASL. */
  readonly ssl: string;
  /** `127.0.0.1:<port>` of the TLS listener with SASL. */
  readonly saslSsl: string;
  /** The private CA's certificate (PEM file). */
  readonly caFile: string;
  /** The user SASL knows, with every mechanism. */
  readonly username: string;
  /** Its password. */
  readonly password: string;
}

const SASL_USER = { username: "pilot", password: "pilot-secret" };

/** Makes a CA and a certificate for 127.0.0.1 it signs, with openssl, in `dir`. */
async function makeCertificates(dir: string): Promise<{ caFile: string; keystore: string }> {
  const openssl = async (...args: string[]) => {
    const { success, stderr } = await new Deno.Command("openssl", {
      args,
      cwd: dir,
      stdout: "null",
    })
      .output();
    if (!success) {
      throw new Error(`openssl ${args[0]} failed: ${new TextDecoder().decode(stderr)}`);
    }
  };
  await Deno.writeTextFile(`${dir}/san.ext`, "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  await openssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "2",
    "-subj",
    "/CN=amp-pilot test CA",
  );
  await openssl(
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "broker.key",
    "-out",
    "broker.csr",
    "-subj",
    "/CN=127.0.0.1",
  );
  await openssl(
    "x509",
    "-req",
    "-in",
    "broker.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "broker.pem",
    "-days",
    "2",
    "-extfile",
    "san.ext",
  );
  const keystore = `${dir}/broker-keystore.pem`;
  await Deno.writeTextFile(
    keystore,
    (await Deno.readTextFile(`${dir}/broker.key`)) + (await Deno.readTextFile(`${dir}/broker.pem`)),
  );
  return { caFile: `${dir}/ca.pem`, keystore };
}

/** The broker settings of the `secure` option's listeners. */
function secureSettings(keystore: string): string[] {
  const { username, password } = SASL_USER;
  const scram = "org.apache.kafka.common.security.scram.ScramLoginModule required;";
  return [
    "ssl.keystore.type=PEM",
    `ssl.keystore.location=${keystore}`,
    "sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512",
    "listener.name.sasl_ssl.plain.sasl.jaas.config=" +
    `org.apache.kafka.common.security.plain.PlainLoginModule required user_${username}="${password}";`,
    `listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=${scram}`,
    `listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=${scram}`,
  ];
}

/** Starts a one-node KRaft broker and waits until it answers metadata requests. */
export async function startKafka(options: KafkaOptions = {}): Promise<KafkaBroker> {
  const libs = kafkaLibs();
  try {
    await Deno.stat(`${libs}/.complete`);
  } catch {
    throw new Error(`no Kafka jars in ${libs}: run \`deno task peers\` first`);
  }
  const [free, controller, sslPort, saslPort] = await freePorts(4);
  const port = options.port ?? free!;
  const dir = await Deno.makeTempDir({ prefix: "amp-pilot-kafka-" });
  const properties = `${dir}/server.properties`;
  const certificates = options.secure ? await makeCertificates(dir) : undefined;
  const secureListeners = certificates
    ? [`SSL://127.0.0.1:${sslPort}`, `SASL_SSL://127.0.0.1:${saslPort}`]
    : [];
  const listeners = [
    `PLAINTEXT://127.0.0.1:${port}`,
    `CONTROLLER://127.0.0.1:${controller}`,
    ...secureListeners,
  ];
  const advertised = [
    `PLAINTEXT://127.0.0.1:${options.advertisedPort ?? port}`,
    ...secureListeners,
  ];
  const protocols = ["CONTROLLER:PLAINTEXT", "PLAINTEXT:PLAINTEXT"];
  if (certificates) protocols.push("SSL:SSL", "SASL_SSL:SASL_SSL");
  await Deno.writeTextFile(
    properties,
    [
      "process.roles=broker,controller",
      "node.id=1",
      `controller.quorum.voters=1@127.0.0.1:${controller}`,
      `listeners=${listeners.join(",")}`,
      `advertised.listeners=${advertised.join(",")}`,
      "controller.listener.names=CONTROLLER",
      `listener.security.protocol.map=${protocols.join(",")}`,
      "inter.broker.listener.name=PLAINTEXT",
      `log.dirs=${dir}/data`,
      ...SINGLE_BROKER,
      ...(certificates ? secureSettings(certificates.keystore) : []),
    ].join("\n"),
  );
  const clusterId = (await java(["kafka.tools.StorageTool", "random-uuid"], libs)).trim()
    .split("\n").at(-1)!;
  const scramUsers = certificates
    ? ["SCRAM-SHA-256", "SCRAM-SHA-512"].flatMap((mechanism) => [
      "--add-scram",
      `${mechanism}=[name=${SASL_USER.username},password=${SASL_USER.password}]`,
    ])
    : [];
  await java(
    ["kafka.tools.StorageTool", "format", "-t", clusterId, "-c", properties, ...scramUsers],
    libs,
  );
  const bootstrap = `127.0.0.1:${port}`;
  let child: Deno.ChildProcess | undefined;
  const start = async () => {
    child = new Deno.Command("java", {
      args: ["-Xmx512m", "-cp", `${libs}/*`, "kafka.Kafka", properties],
      stdout: "null",
      stderr: "null",
    }).spawn();
    await waitForMetadata(bootstrap, child);
  };
  const stop = async () => {
    if (!child) return;
    child.kill("SIGKILL");
    await child.status;
    child = undefined;
  };
  await start();
  return {
    bootstrap,
    secure: certificates && {
      ssl: `127.0.0.1:${sslPort}`,
      saslSsl: `127.0.0.1:${saslPort}`,
      caFile: certificates.caFile,
      ...SASL_USER,
    },
    stop,
    restart: start,
    [Symbol.asyncDispose]: async () => {
      await stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

async function waitForMetadata(bootstrap: string, child: Deno.ChildProcess): Promise<void> {
  let exited = false;
  child.status.then(() => (exited = true));
  const deadline = Date.now() + 60_000;
  let last = "";
  while (Date.now() < deadline && !exited) {
    const admin = new Kafka({
      brokers: [bootstrap],
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    })
      .admin();
    try {
      await admin.connect();
      await admin.describeCluster();
      return;
    } catch (e) {
      last = (e as Error).message;
    } finally {
      await admin.disconnect().catch(() => {});
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Kafka at ${bootstrap} did not answer (${exited ? "it exited" : last})`);
}

/** A Kafka 3.9 broker in ZooKeeper mode and its ZooKeeper. */
export interface ZooKeeperKafka extends AsyncDisposable {
  /** `127.0.0.1:<port>` of ZooKeeper. */
  readonly zookeeper: string;
  /** `127.0.0.1:<port>` of the broker (changes with {@linkcode moveBroker}). */
  readonly bootstrap: string;
  /**
   * Stops the broker (a controlled shutdown: it leaves ZooKeeper at once) and starts it again,
   * same id and data, on another port: every address a client knew is gone.
   */
  moveBroker(): Promise<void>;
}

/** Version of the broker of the ZooKeeper-discovery tests (the 3.x line still has ZooKeeper). */
export const KAFKA_ZK_VERSION = "3.9.1";

/** Starts ZooKeeper (from the jars of Kafka 3.9) and one broker registered in it. */
export async function startZooKeeperKafka(chroot = ""): Promise<ZooKeeperKafka> {
  const libs = kafkaLibs(KAFKA_ZK_VERSION);
  try {
    await Deno.stat(`${libs}/.complete`);
  } catch {
    throw new Error(`no Kafka ${KAFKA_ZK_VERSION} jars in ${libs}: run \`deno task peers\` first`);
  }
  const [zkPort, port] = await freePorts(2);
  const dir = await Deno.makeTempDir({ prefix: "amp-pilot-zk-" });
  const children: Deno.ChildProcess[] = [];
  const dispose = async () => {
    for (const child of children.reverse()) {
      child.kill("SIGKILL");
      await child.status;
    }
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  try {
    const java = (args: string[]) =>
      new Deno.Command("java", { args, stdout: "null", stderr: "null" }).spawn();
    children.push(java([
      "-Xmx256m",
      // Without this ZooKeeper also serves its admin page on the fixed port 8080, and exits when
      // that port is taken on the machine.
      "-Dzookeeper.admin.enableServer=false",
      "-cp",
      `${libs}/*`,
      "org.apache.zookeeper.server.ZooKeeperServerMain",
      String(zkPort),
      `${dir}/zookeeper`,
    ]));
    const zookeeper = `127.0.0.1:${zkPort}`;
    let bootstrap = "";
    let broker: Deno.ChildProcess | undefined;
    const startBroker = async (brokerPort: number) => {
      await Deno.writeTextFile(
        `${dir}/server.properties`,
        [
          "broker.id=0",
          `zookeeper.connect=${zookeeper}${chroot}`,
          `listeners=PLAINTEXT://127.0.0.1:${brokerPort}`,
          `log.dirs=${dir}/data`,
          ...SINGLE_BROKER,
          "zookeeper.connection.timeout.ms=30000",
        ].join("\n"),
      );
      broker = java(["-Xmx512m", "-cp", `${libs}/*`, "kafka.Kafka", `${dir}/server.properties`]);
      children.push(broker);
      bootstrap = `127.0.0.1:${brokerPort}`;
      await waitForMetadata(bootstrap, broker);
    };
    await startBroker(port!);
    return {
      zookeeper,
      get bootstrap() {
        return bootstrap;
      },
      moveBroker: async () => {
        broker!.kill("SIGTERM");
        await broker!.status;
        children.splice(children.indexOf(broker!), 1);
        const [next] = await freePorts(1);
        await startBroker(next!);
      },
      [Symbol.asyncDispose]: dispose,
    };
  } catch (e) {
    await dispose();
    throw e;
  }
}

/**
 * Creates `topic` (one partition) unless it exists, then waits until the broker leads every
 * partition of it: a partition just created is in the metadata a moment before its broker leads
 * it, and a Produce request in that moment is refused with NOT_LEADER_OR_FOLLOWER (seen on a
 * loaded machine). ListOffsets goes to the leader and is refused the same way, so its first
 * success is the barrier.
 */
export async function ledTopic(bootstrap: string, topic: string): Promise<void> {
  const admin = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        await admin.fetchTopicOffsets(topic);
        return;
      } catch (e) {
        if (Date.now() > deadline) throw e;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * Reads every record of `topic` from the beginning until `until` says enough (or times out).
 * `joined`, when given, is called once the consumer is in its group and fetching (the topic is
 * created first when needed).
 */
export async function consumeAll(
  bootstrap: string,
  topic: string,
  until: (records: { key: string; value: Record<string, unknown> }[]) => boolean,
  timeoutMs: number = 20_000,
  joined: (() => void) | undefined = undefined,
): Promise<{ key: string; value: Record<string, unknown> }[]> {
  const kafka = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING });
  if (joined) {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
  }
  await topicReady(kafka, topic, timeoutMs);
  const consumer = kafka.consumer({ groupId: `test-${crypto.randomUUID()}` });
  const records: { key: string; value: Record<string, unknown> }[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    if (joined) consumer.on(consumer.events.FETCH_START, () => joined());
    let done: () => void = () => {};
    const finished = new Promise<void>((resolve) => (done = resolve));
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          records.push({ key: m.key?.toString() ?? "", value: JSON.parse(m.value!.toString()) });
        }
        if (until(records)) done();
        await Promise.resolve();
      },
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([finished, new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    return records;
  } finally {
    await consumer.disconnect();
  }
}

/** Waits until the topic exists and each partition has a leader (after a restart, too). */
async function topicReady(kafka: InstanceType<typeof Kafka>, topic: string, timeoutMs: number) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
        const partitions = topics[0]?.partitions ?? [];
        if (partitions.length > 0 && partitions.every((p) => p.leader >= 0)) return;
      } catch (e) {
        if (Date.now() > deadline) throw e;
      }
      if (Date.now() > deadline) throw new Error(`topic ${topic} never got a leader`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await admin.disconnect();
  }
}

/** A Java consumer counting records, from {@linkcode startJavaCounter}. */
export interface JavaCounter extends AsyncDisposable {
  /** Resolves when `count` records containing the marker were read, or rejects on timeout. */
  readonly done: Promise<void>;
  /** Records containing the marker read so far. */
  counted(): number;
}

const COUNTER = new URL("./RecordCounter.java", import.meta.url).pathname;

/**
 * Reads partition 0 of `topic` from its first offset with the Java client (RecordCounter.java:
 * an independent reader fast enough for throughput figures, where kafkajs under Deno and Kafka's
 * console consumer are not), counting the records that contain `marker`. It reads all of
 * `warmUpTopic` first, so that its JIT is warm. The topic must exist and hold a record already:
 * this resolves once the consumer has read it.
 */
export async function startJavaCounter(
  bootstrap: string,
  warmUpTopic: string,
  topic: string,
  marker: string,
  count: number,
  timeoutMs: number,
): Promise<JavaCounter> {
  const child = new Deno.Command("java", {
    args: [
      "-cp",
      `${kafkaLibs()}/*`,
      COUNTER,
      bootstrap,
      warmUpTopic,
      topic,
      marker,
      String(count),
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let counted = 0;
  let errors = "";
  let sawFirst: () => void = () => {};
  const first = new Promise<void>((resolve) => (sawFirst = resolve));
  const reading = (async () => {
    for await (
      const line of child.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(lines())
    ) {
      if (line === "ready") sawFirst();
      const match = /^counted (\d+)$/.exec(line);
      if (match) counted = Number(match[1]);
    }
  })();
  const stderr = (async () => {
    for await (const text of child.stderr.pipeThrough(new TextDecoderStream())) {
      if (!/SLF4J/.test(text)) errors += text;
    }
  })();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the Java consumer read ${counted} of ${count} records ${errors}`)),
      timeoutMs,
    );
  });
  const finished = child.status.then((status) => {
    if (counted < count) {
      throw new Error(`the Java consumer exited (${status.code}) after ${counted}: ${errors}`);
    }
  });
  const dispose = async () => {
    clearTimeout(timer);
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
    await child.status;
    await Promise.all([reading.catch(() => {}), stderr.catch(() => {})]);
  };
  try {
    await Promise.race([first, timeout, finished]);
  } catch (e) {
    await dispose();
    throw e;
  }
  const done = Promise.race([reading.then(() => finished), timeout]);
  done.catch(() => {});
  return { done, counted: () => counted, [Symbol.asyncDispose]: dispose };
}

/** Splits a text stream into lines. */
function lines(): TransformStream<string, string> {
  let carry = "";
  return new TransformStream({
    transform(chunk, controller) {
      const parts = (carry + chunk).split("\n");
      carry = parts.pop()!;
      for (const part of parts) controller.enqueue(part);
    },
    flush(controller) {
      if (carry) controller.enqueue(carry);
    },
  });
}
