/**
 * The log figures of `deno task bench`: passthrough throughput (Kafka off, and on but
 * unreachable), end-to-end records per second into a real broker, and RSS growth of the buffer
 * while Kafka is down.
 *
 * @module
 */

import {
  type JavaCounter,
  ledTopic,
  startJavaCounter,
  startKafka,
} from "../tests/support/kafka.ts";
import { Kafka, logLevel } from "../tests/support/kafkajs.ts";
import { freePorts } from "../tests/support/ports.ts";
import { median } from "./bench_stats.ts";
import { cpuSeconds, rssMb } from "./bench_proc.ts";
import { LINE, produce } from "./bench_producer.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const PRODUCER = new URL("./bench_producer.ts", import.meta.url).pathname;

function env(extra: Record<string, string>): Record<string, string> {
  return { PATH: Deno.env.get("PATH")!, HOME: Deno.env.get("HOME")!, ...extra };
}

/** `count` lines of 100 bytes as fast as `yes` writes them. */
function generator(count: number): string {
  return `yes ${LINE} | head -n ${count}`;
}

function pilotArgv(script: string): string[] {
  return [Deno.execPath(), "run", "--allow-all", "--frozen", MAIN, "--", "sh", "-c", script];
}

/**
 * Time until all of a command's stdout has arrived (read and thrown away). With Kafka down the
 * pilot still flushes for a bounded time before it exits: that wait is not passthrough time.
 */
async function timeOutput(argv: string[], extraEnv: Record<string, string>, bytes: number) {
  const started = performance.now();
  const child = new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    env: env(extraEnv),
    clearEnv: true,
    stdout: "piped",
    stderr: "null",
  }).spawn();
  let received = 0;
  let elapsed = 0;
  for await (const chunk of child.stdout) {
    received += chunk.length;
    if (received >= bytes && elapsed === 0) elapsed = performance.now() - started;
  }
  await child.status;
  if (received !== bytes) {
    throw new Error(`${argv.join(" ")}: ${received} bytes, expected ${bytes}`);
  }
  return elapsed;
}

/** Passthrough throughput with Kafka off and with Kafka on but unreachable (lines/s). */
export async function passthroughFigures(lines = 1_000_000): Promise<{
  mate_alone_lines_per_s: number;
  passthrough_lines_per_s: number;
  passthrough_kafka_down_lines_per_s: number;
}> {
  const [deadPort] = await freePorts(1);
  const bytes = lines * (LINE.length + 1);
  const alone = await timeOutput(["sh", "-c", generator(lines)], {}, bytes);
  const off = await timeOutput(pilotArgv(generator(lines)), {}, bytes);
  const down = await timeOutput(pilotArgv(generator(lines)), {
    KAFKA: `127.0.0.1:${deadPort}`,
    AMPPILOT_LOGLEVEL: "error",
  }, bytes);
  return {
    mate_alone_lines_per_s: Math.round(lines / (alone / 1000)),
    passthrough_lines_per_s: Math.round(lines / (off / 1000)),
    passthrough_kafka_down_lines_per_s: Math.round(lines / (down / 1000)),
  };
}

/** RSS growth of a pilot whose mate logs `lines` lines while Kafka is down (MB). */
export async function bufferGrowth(
  lines = 1_000_000,
): Promise<{ buffer_rss_growth_mb: number }> {
  const [deadPort] = await freePorts(1);
  const child = new Deno.Command(Deno.execPath(), {
    args: pilotArgv(`sleep 1; ${generator(lines)}; echo done >&2; sleep 600`).slice(1),
    env: env({ KAFKA: `127.0.0.1:${deadPort}`, AMPPILOT_LOGLEVEL: "error" }),
    clearEnv: true,
    stdout: "null",
    stderr: "piped",
  }).spawn();
  await new Promise((r) => setTimeout(r, 800));
  const before = rssMb(child.pid);
  const decoder = new TextDecoder();
  let text = "";
  const reader = child.stderr.getReader();
  while (!text.includes("done")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value);
  }
  await new Promise((r) => setTimeout(r, 500));
  const after = rssMb(child.pid);
  child.kill("SIGTERM"); // the pilot stops its mate; SIGKILL would leave the mate behind
  reader.releaseLock();
  await child.stderr.cancel();
  await child.status;
  return { buffer_rss_growth_mb: Math.round((after - before) * 10) / 10 };
}

/**
 * Records per second end to end: the broker and the consumer are warmed up first (in production
 * both run for long; a fresh JVM is slow until its JIT has compiled), a Java consumer reads the
 * topic from its start, then the pilot starts and its mate writes `records` lines at once; the
 * clock stops when the consumer has counted them all. On two shared cores one such run swings by
 * a quarter with the machine's load, so `rounds` runs (each with a topic and consumer of its own)
 * are made against the same broker, after one whole run that is not counted (the broker's JIT was
 * still compiling in a first run: 29–36 % slower than the next two in a run before this one was
 * added), and the median is the figure. Each pilot run is followed by a run of the pilot's
 * producer alone in a process of its own, sending ready-made records of about the same size,
 * counted the same way: what this machine, broker and consumer allow at that moment, without a
 * pipe to read or a record to build.
 */
export async function kafkaThroughput(
  records = 1_000_000,
  rounds = 3,
): Promise<KafkaFigures> {
  await using kafka = await startKafka();
  const warmUpTopic = `warm-up-${crypto.randomUUID().slice(0, 8)}`;
  await ledTopic(kafka.bootstrap, warmUpTopic);
  await produce(kafka.bootstrap, warmUpTopic, 300_000);
  const warmUp = await endToEnd(kafka.bootstrap, warmUpTopic, records);
  const runs: EndToEndRun[] = [];
  const producerRates: number[] = [];
  for (let round = 0; round < rounds; round++) {
    runs.push(await endToEnd(kafka.bootstrap, warmUpTopic, records));
    producerRates.push(await producerEndToEnd(kafka.bootstrap, warmUpTopic, records));
  }
  const rates = runs.map((run) => run.rate);
  return {
    kafka_records_per_s: median(rates),
    kafka_records_per_s_runs: rates,
    kafka_warm_up_records_per_s: warmUp.rate,
    kafka_producer_alone_records_per_s: median(producerRates),
    kafka_producer_alone_records_per_s_runs: producerRates,
    kafka_records_lost: Math.max(...[warmUp, ...runs].map((run) => run.lost)),
    kafka_topic_records: Math.max(...runs.map((run) => run.topicRecords)),
    kafka_pilot_cpu_s: median(runs.map((run) => run.pilotCpuS)),
    kafka_stored_records_per_s: await storedRate(kafka.bootstrap, records),
  };
}

/**
 * Records per second of the pilot's Kafka producer alone sending `records` ready-made records,
 * from its process's spawn until a Java consumer has counted them all: timed as
 * {@linkcode endToEnd} times the pilot, Deno's start and a cold JIT included.
 */
async function producerEndToEnd(
  bootstrap: string,
  warmUpTopic: string,
  records: number,
): Promise<number> {
  await using counter = await countedTopic(bootstrap, warmUpTopic, records, "producer");
  const started = performance.now();
  const producer = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--frozen", PRODUCER, bootstrap, counter.topic, String(records)],
    stdout: "null",
  }).spawn();
  try {
    await awaitCount(counter, "Kafka producer alone");
    return Math.round(counter.counted() / ((performance.now() - started) / 1000));
  } finally {
    try {
      producer.kill(); // done by now, or stuck: the count above has ended either way
    } catch { /* exited */ }
    await producer.status;
  }
}

/** A new topic, and a Java consumer counting the stdout records that reach it (`records`). */
async function countedTopic(
  bootstrap: string,
  warmUpTopic: string,
  records: number,
  prefix: string,
): Promise<JavaCounter & { readonly topic: string }> {
  const topic = `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
  await ledTopic(bootstrap, topic);
  await produce(bootstrap, topic, 1); // the consumer reads this one first
  const counter = await startJavaCounter(
    bootstrap,
    warmUpTopic,
    topic,
    '"stream":"stdout"',
    records,
    120_000,
  );
  return Object.assign(counter, { topic });
}

/** Waits for the consumer's count; one that timed out found records missing: a figure too. */
async function awaitCount(counter: JavaCounter, what: string): Promise<void> {
  const missing = await counter.done.then(() => undefined, (e: Error) => e.message);
  // deno-lint-ignore no-console -- the benchmark reports on stderr as it goes
  if (missing) console.error(`${what}: ${missing}`);
}

interface EndToEndRun {
  readonly rate: number;
  readonly lost: number;
  readonly topicRecords: number;
  readonly pilotCpuS: number;
}

async function endToEnd(
  bootstrap: string,
  warmUpTopic: string,
  records: number,
): Promise<EndToEndRun> {
  await using counter = await countedTopic(bootstrap, warmUpTopic, records, "bench");
  const topic = counter.topic;
  const started = performance.now();
  const pilot = shippingPilot(bootstrap, topic, records);
  try {
    await awaitCount(counter, "Kafka end to end");
    const elapsed = performance.now() - started;
    const pilotCpuS = cpuSeconds(pilot.pid);
    return {
      rate: Math.round(counter.counted() / (elapsed / 1000)),
      lost: records - counter.counted(),
      topicRecords: (await endOffset(bootstrap, topic)) - 1, // less the first one
      pilotCpuS,
    };
  } finally {
    pilot.kill("SIGTERM");
    await pilot.status;
  }
}

/** A pilot whose mate writes `records` lines at once, shipped to `topic`. */
function shippingPilot(bootstrap: string, topic: string, records: number): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: pilotArgv(`${generator(records)}; sleep 600`).slice(1),
    // A buffer large enough for every record: this measures shipping, not dropping.
    env: env({
      KAFKA: bootstrap,
      KAFKA_TOPIC: topic,
      AMPPILOT_LOGLEVEL: "error",
      AMPPILOT_KAFKABUFFER: String(records + 1000),
      AMPPILOT_KAFKABUFFERBYTES: "256MiB",
    }),
    clearEnv: true,
    stdout: "null",
    stderr: "null",
  }).spawn();
}

/**
 * Records per second from the pilot's start until the broker has stored them all (the topic's
 * end offset, read every 20 ms), with no consumer reading meanwhile: on a machine of two cores
 * the consumer of the end-to-end figure takes CPU from the pilot and the broker.
 */
async function storedRate(bootstrap: string, records: number): Promise<number> {
  const topic = `stored-${crypto.randomUUID().slice(0, 8)}`;
  await ledTopic(bootstrap, topic);
  await produce(bootstrap, topic, 1);
  const admin = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const started = performance.now();
  const pilot = shippingPilot(bootstrap, topic, records);
  try {
    const deadline = started + 120_000;
    while (performance.now() < deadline) {
      const offsets = await admin.fetchTopicOffsets(topic);
      const end = Number(offsets.find((o) => o.partition === 0)?.high ?? 0);
      if (end > records) return Math.round(records / ((performance.now() - started) / 1000));
      await new Promise((r) => setTimeout(r, 20));
    }
    return 0;
  } finally {
    pilot.kill("SIGTERM");
    await pilot.status;
    await admin.disconnect();
  }
}

/** The Kafka figures of the benchmark. */
export interface KafkaFigures {
  /**
   * Mate lines per second, from the pilot's start to the consumer's count of the last one: the
   * median of the runs.
   */
  readonly kafka_records_per_s: number;
  /** The rate of each run, in the order they ran. */
  readonly kafka_records_per_s_runs: readonly number[];
  /** The rate of the first run, made to warm the broker up and not counted. */
  readonly kafka_warm_up_records_per_s: number;
  /**
   * Records per second of the pilot's producer alone, in a process of its own, sending ready-made
   * records of about the same size, counted the same way (the median of one run after each pilot
   * run): the machine's ceiling.
   */
  readonly kafka_producer_alone_records_per_s: number;
  /** The rate of each producer-alone run, in the order they ran. */
  readonly kafka_producer_alone_records_per_s_runs: readonly number[];
  /**
   * Mate lines per second from the pilot's start until the broker stored the last one, with no
   * consumer running meanwhile (a second run; 0 when not all were stored within 2 min).
   */
  readonly kafka_stored_records_per_s: number;
  /** Mate lines the consumer did not find in the worst run (0 unless it timed out). */
  readonly kafka_records_lost: number;
  /** Records the pilot stored in the topic: the lines, its own records, any duplicates. */
  readonly kafka_topic_records: number;
  /**
   * CPU seconds (user + system) of the pilot's own process until the consumer counted the last
   * record: what shipping costs, which the machine's load changes far less than the rate.
   */
  readonly kafka_pilot_cpu_s: number;
}

/** The end offset of partition 0 of `topic` (kafkajs, an independent client). */
async function endOffset(bootstrap: string, topic: string): Promise<number> {
  const admin = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return Number(offsets.find((o) => o.partition === 0)?.high ?? 0);
  } finally {
    await admin.disconnect();
  }
}
