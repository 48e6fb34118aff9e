// deno-lint-ignore-file no-console -- a command-line script that prints its report

/**
 * `deno task bench`: the supervisor's latencies and costs against a real Consul agent and real
 * processes. Prints a table, then one JSON object as the last line.
 *
 * Each latency is measured `BENCH_RUNS` times (default 20) with a fresh pilot per run, so that
 * every restart happens at the first backoff step (1 s).
 *
 * @module
 */

import { consulAddress } from "../src/config/values.ts";
import { ConsulClient } from "../src/consul/client.ts";
import { startConsul } from "../tests/support/consul.ts";
import { fakeDependency } from "../tests/support/dependency.ts";
import { freePorts } from "../tests/support/ports.ts";
import { bufferGrowth, kafkaThroughput, passthroughFigures } from "./bench_logs.ts";
import { cpuSeconds, rssMb } from "./bench_proc.ts";
import { chainFigures } from "./bench_chain.ts";
import { bundleProgram } from "./bundle.ts";
import { median, percentile, round } from "./bench_stats.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const RUNS = Number(Deno.env.get("BENCH_RUNS") ?? 20);
const IDLE_SECONDS = Number(Deno.env.get("BENCH_IDLE_SECONDS") ?? 60);
const LOG_LINES = Number(Deno.env.get("BENCH_LOG_LINES") ?? 1_000_000);
const KAFKA_RECORDS = Number(Deno.env.get("BENCH_KAFKA_RECORDS") ?? 1_000_000);
const KAFKA_ROUNDS = Math.max(1, Math.floor(Number(Deno.env.get("BENCH_KAFKA_ROUNDS") ?? 3)) || 1);
const CHAIN_DEPTH = Number(Deno.env.get("BENCH_CHAIN_DEPTH") ?? 10);

/** Wall-clock time in ms with sub-ms precision, comparable with `date +%s%N` of children. */
function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitFor<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  what: string,
  ms = 15_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(2);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Records when the number of passing instances of a service changes, via blocking queries. */
function watchPassing(client: ConsulClient, name: string) {
  const changes: { count: number; at: number }[] = [];
  const controller = new AbortController();
  const loop = (async () => {
    let index = 0;
    let count = -1;
    while (!controller.signal.aborted) {
      try {
        const r = await client.healthService(name, {
          passing: true,
          index,
          waitMs: 60_000,
          signal: controller.signal,
        });
        const at = epochMs();
        if (r.entries.length !== count) changes.push({ count: count = r.entries.length, at });
        index = r.index;
      } catch {
        if (!controller.signal.aborted) await sleep(10);
      }
    }
  })();
  return {
    firstAt: (count: number, after: number) =>
      changes.find((c) => c.count === count && c.at >= after)?.at,
    stop: async () => {
      controller.abort();
      await loop;
    },
  };
}

async function mateEvents(file: string): Promise<{ kind: string; at: number }[]> {
  try {
    return (await Deno.readTextFile(file)).trim().split("\n").filter(Boolean).map((l) => {
      const [kind, ns] = l.split(" ");
      return { kind: kind!, at: Number(ns) / 1e6 };
    });
  } catch {
    return [];
  }
}

/** A pilot under measurement; its log (stderr) is kept to explain a failed run. */
interface BenchPilot {
  readonly process: Deno.ChildProcess;
  /** The pilot's whole stderr, once it has exited. */
  readonly log: Promise<string>;
}

function spawnPilot(
  env: Record<string, string>,
  mate: string[],
  runFlags: readonly string[] = ["--frozen"],
  entry: string = MAIN,
): BenchPilot {
  const process = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", ...runFlags, entry, "--", ...mate],
    env: { PATH: Deno.env.get("PATH")!, HOME: Deno.env.get("HOME")!, ...env },
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  return { process, log: new Response(process.stderr).text() };
}

/** Adds the pilot's log to a failure, so that a rare one can be understood afterwards. */
async function withPilotLog(pilot: BenchPilot, e: unknown): Promise<Error> {
  try {
    pilot.process.kill("SIGKILL");
  } catch { /* exited */ }
  return new Error(`${(e as Error).message}; the pilot's log:\n${await pilot.log}`);
}

interface LatencyRun {
  depLossToSigterm: number;
  depBackToStart: number;
  startToRegistered: number;
  sigtermToDeregistered: number;
  sigtermToExit: number;
}

async function latencyRun(address: string, client: ConsulClient, dir: string, i: number) {
  const name = `bench-api-${i}`;
  const file = `${dir}/${name}.events`;
  const mate = [
    "sh",
    "-c",
    `echo "start $(date +%s%N)" >> ${file}; trap 'echo "term $(date +%s%N)" >> ${file}; exit 0' TERM; ` +
    `while :; do sleep 0.05 & wait $!; done`,
  ];
  await using db = await fakeDependency(address, "bench-db");
  await db.pass();
  const watch = watchPassing(client, name);
  const benchPilot = spawnPilot({
    CONSUL: address,
    SERVICE_NAME: name,
    DEPENDENCIES: "bench-db",
    AMPPILOT_REGISTEREDIP: "127.0.0.1",
  }, mate);
  const pilot = benchPilot.process;
  try {
    const started = await waitFor(async () => (await mateEvents(file))[0]?.at, "the mate to start");
    const registered = await waitFor(() => watch.firstAt(1, 0), "the registration");

    const lossAt = epochMs();
    await db.fail();
    const termAt = await waitFor(
      async () => (await mateEvents(file)).find((e) => e.kind === "term")?.at,
      "SIGTERM to reach the mate",
    );
    await sleep(1300); // past the first backoff step (1 s after the mate's exit)
    const backAt = epochMs();
    await db.pass();
    const restartAt = await waitFor(
      async () => (await mateEvents(file)).filter((e) => e.kind === "start")[1]?.at,
      "the restart",
    );
    // From backAt, not restartAt: the mate's own `date` may run after the pilot has registered it.
    await waitFor(() => watch.firstAt(1, backAt), "the second registration");

    const sigtermAt = epochMs();
    pilot.kill("SIGTERM");
    const status = await pilot.status;
    const exitAt = epochMs();
    if (status.code !== 0) throw new Error(`pilot exited with ${status.code}`);
    const deregisteredAt = await waitFor(() => watch.firstAt(0, sigtermAt), "deregistration");
    return {
      depLossToSigterm: termAt - lossAt,
      depBackToStart: restartAt - backAt,
      startToRegistered: registered - started,
      sigtermToDeregistered: deregisteredAt - sigtermAt,
      sigtermToExit: exitAt - sigtermAt,
    } satisfies LatencyRun;
  } catch (e) {
    throw await withPilotLog(benchPilot, e);
  } finally {
    try {
      pilot.kill("SIGKILL");
    } catch { /* exited */ }
    await pilot.status;
    await benchPilot.log;
    await watch.stop();
  }
}

async function timeCommand(argv: string[], env?: Record<string, string>): Promise<number> {
  const started = performance.now();
  const { success } = await new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    env,
    clearEnv: env !== undefined,
    stdout: "null",
    stderr: "null",
  }).output();
  if (!success) throw new Error(`${argv.join(" ")} failed`);
  return performance.now() - started;
}

/** From launching `argv` (whose last word is a shell script) until its mate ran (ms). */
async function timeToMate(argv: string[], env: Record<string, string>, file: string) {
  const started = epochMs();
  const { success } = await new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    env,
    clearEnv: true,
    stdout: "null",
    stderr: "null",
  }).output();
  if (!success) throw new Error(`${argv.join(" ")} failed`);
  return Number((await Deno.readTextFile(file)).trim()) / 1e6 - started;
}

async function startupOverhead(dir: string, bundle: string) {
  const env = { PATH: Deno.env.get("PATH")!, HOME: Deno.env.get("HOME")! };
  const deno = Deno.execPath();
  const scripts: Record<string, string> = {
    runtime: `await new Deno.Command("true").output();`,
    node_util:
      `import { parseArgs } from "node:util"; parseArgs({ args: [] }); await new Deno.Command("true").output();`,
    zod: `import "npm:zod@^4.6.7"; await new Deno.Command("true").output();`,
  };
  const stamp = `${dir}/mate-started`;
  const mate = ["sh", "-c", `date +%s%N > ${stamp}`];
  await Deno.writeTextFile(
    `${dir}/runtime_mate.ts`,
    `await new Deno.Command("sh", { args: ${JSON.stringify(mate.slice(1))} }).output();`,
  );
  for (const [name, text] of Object.entries(scripts)) {
    await Deno.writeTextFile(`${dir}/${name}.ts`, text);
  }
  const lock = new URL("../deno.lock", import.meta.url).pathname;
  // The project's configuration too: the frozen lock names its imports (fast-check, for tests).
  const config = new URL("../deno.json", import.meta.url).pathname;
  const samples: Record<string, number[]> = {
    mate_alone: [],
    pilot: [],
    pilot_bundle: [],
    pilot_no_config: [],
    pilot_env: [],
    runtime: [],
    node_util: [],
    zod: [],
    mate_started: [],
    runtime_mate_started: [],
  };
  for (let i = 0; i < RUNS; i++) {
    samples.mate_alone!.push(await timeCommand(["true"], env));
    samples.pilot!.push(
      await timeCommand([deno, "run", "--allow-all", "--frozen", MAIN, "--", "true"], env),
    );
    // main.ts and the release's bundle as `deno run <URL>/…` runs them, without deno.json.
    samples.pilot_no_config!.push(
      await timeCommand(
        [deno, "run", "--allow-all", "--no-config", "--no-lock", MAIN, "--", "true"],
        env,
      ),
    );
    samples.pilot_bundle!.push(
      await timeCommand(
        [deno, "run", "--allow-all", "--no-config", "--no-lock", bundle, "--", "true"],
        env,
      ),
    );
    // The same mate named by the environment, as an image would: its value is parsed.
    samples.pilot_env!.push(
      await timeCommand([deno, "run", "--allow-all", "--frozen", MAIN], {
        ...env,
        AMPPILOT_LAUNCH_CMD: "true",
      }),
    );
    samples.mate_started!.push(
      await timeToMate([deno, "run", "--allow-all", "--frozen", MAIN, "--", ...mate], env, stamp),
    );
    samples.runtime_mate_started!.push(
      await timeToMate(
        [deno, "run", "--allow-all", "--no-config", `${dir}/runtime_mate.ts`],
        env,
        stamp,
      ),
    );
    for (const name of Object.keys(scripts)) {
      samples[name]!.push(
        await timeCommand([
          deno,
          "run",
          "--allow-all",
          `--config=${config}`,
          `--lock=${lock}`,
          "--frozen",
          `${dir}/${name}.ts`,
        ], env),
      );
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, round(median(v))]));
}

/** A counting proxy in front of Consul: how many requests the pilot makes. */
async function countingProxy(target: string) {
  const [port] = await freePorts(1);
  let count = 0;
  const paths: string[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port, onListen: () => {} },
    async (req, info) => {
      count++;
      const url = new URL(req.url);
      paths.push(`${req.method} ${url.pathname}`);
      // A pilot that goes away must end its blocking query upstream too.
      const gone = new AbortController();
      info.completed.catch(() => gone.abort());
      let upstream: Response;
      try {
        upstream = await fetch(`http://${target}${url.pathname}${url.search}`, {
          method: req.method,
          headers: req.headers,
          body: req.body,
          // A pilot that goes away ends its blocking query upstream too (the task runs with
          // --unstable-no-legacy-abort, so this fires on disconnects only).
          signal: req.signal,
        });
      } catch {
        return new Response("upstream failed", { status: 502 });
      }
      // fetch has already decoded the body: drop the encoding headers that described it.
      const headers = new Headers(upstream.headers);
      headers.delete("content-encoding");
      headers.delete("content-length");
      return new Response(upstream.body, { status: upstream.status, headers });
    },
  );
  return {
    address: `127.0.0.1:${port}`,
    count: () => count,
    reset: () => {
      count = 0;
      paths.length = 0;
    },
    paths: () => [...paths],
    close: () => server.shutdown(),
  };
}

async function idleCosts(address: string, client: ConsulClient, bundle: string) {
  const proxy = await countingProxy(address);
  await using db = await fakeDependency(address, "idle-db");
  await db.pass();
  const watch = watchPassing(client, "idle-api");
  const watchBare = watchPassing(client, "idle-bare");
  const watchBundle = watchPassing(client, "idle-bundle");
  const benchPilot = spawnPilot({
    CONSUL: proxy.address,
    SERVICE_NAME: "idle-api",
    DEPENDENCIES: "idle-db",
    AMPPILOT_REGISTEREDIP: "127.0.0.1",
  }, ["sleep", "600"]);
  // The same pilot beside it without the project's deno.json and lock, as `deno run <URL>` runs
  // (and as a compiled binary does not read them either).
  const barePilot = spawnPilot(
    {
      CONSUL: address,
      SERVICE_NAME: "idle-bare",
      DEPENDENCIES: "idle-db",
      AMPPILOT_REGISTEREDIP: "127.0.0.1",
    },
    ["sleep", "600"],
    ["--no-config", "--no-lock"],
  );
  // The release's bundle, as `deno run <URL>/amp-pilot.js` runs it (the compiled binaries embed
  // it too).
  const bundlePilot = spawnPilot(
    {
      CONSUL: address,
      SERVICE_NAME: "idle-bundle",
      DEPENDENCIES: "idle-db",
      AMPPILOT_REGISTEREDIP: "127.0.0.1",
    },
    ["sleep", "600"],
    ["--no-config", "--no-lock"],
    bundle,
  );
  const pilot = benchPilot.process;
  try {
    await waitFor(() => watch.firstAt(1, 0), "the idle pilot's registration");
    await waitFor(() => watchBare.firstAt(1, 0), "the registration of the pilot without deno.json");
    await waitFor(() => watchBundle.firstAt(1, 0), "the bundled pilot's registration");
    await sleep(500);
    proxy.reset();
    const cpuBefore = cpuSeconds(pilot.pid);
    await sleep((IDLE_SECONDS * 1000) / 2);
    const rss = round(rssMb(pilot.pid));
    const rssNoConfig = round(rssMb(barePilot.process.pid));
    const anonNoConfig = round(rssMb(barePilot.process.pid, "RssAnon"));
    const rssBundle = round(rssMb(bundlePilot.process.pid));
    const anonBundle = round(rssMb(bundlePilot.process.pid, "RssAnon"));
    await sleep((IDLE_SECONDS * 1000) / 2);
    const cpuPerMinute = round((cpuSeconds(pilot.pid) - cpuBefore) * 1000 * 60 / IDLE_SECONDS);
    const perMinute = round(proxy.count() * 60 / IDLE_SECONDS);
    return {
      rss,
      rssNoConfig,
      anonNoConfig,
      rssBundle,
      anonBundle,
      cpuPerMinute,
      perMinute,
      paths: proxy.paths(),
    };
  } catch (e) {
    throw await withPilotLog(
      bundlePilot,
      await withPilotLog(barePilot, await withPilotLog(benchPilot, e)),
    );
  } finally {
    for (const { process } of [benchPilot, barePilot, bundlePilot]) {
      try {
        process.kill("SIGTERM");
      } catch { /* exited */ }
      await process.status;
    }
    await benchPilot.log;
    await barePilot.log;
    await bundlePilot.log;
    await watch.stop();
    await watchBare.stop();
    await watchBundle.stop();
    await proxy.close();
  }
}

async function main(): Promise<void> {
  await using consul = await startConsul();
  const client = new ConsulClient({ address: consulAddress.parse(consul.address) });
  const dir = await Deno.makeTempDir({ prefix: "amp-pilot-bench-" });
  try {
    console.error(`Consul ${consul.address} (${consul.mode}); ${RUNS} runs per latency figure`);
    const bundle = (await bundleProgram(`${dir}/bundle`)).main;
    const runs: LatencyRun[] = [];
    for (let i = 0; i < RUNS; i++) {
      runs.push(await latencyRun(consul.address, client, dir, i));
      console.error(`  run ${i + 1}/${RUNS} done`);
    }
    const pick = (k: keyof LatencyRun) => runs.map((r) => r[k]);
    console.error(`a chain of ${CHAIN_DEPTH} pilots…`);
    const chain = await chainFigures(consul.address, dir, CHAIN_DEPTH);
    console.error("startup overhead…");
    const startup = await startupOverhead(dir, bundle);
    console.error(`idle costs over ${IDLE_SECONDS} s…`);
    const idle = await idleCosts(consul.address, client, bundle);
    console.error(`log passthrough (${LOG_LINES} lines of 100 bytes)…`);
    const passthrough = await passthroughFigures(LOG_LINES);
    const growth = await bufferGrowth(LOG_LINES);
    console.error(`Kafka end to end (${KAFKA_ROUNDS} × ${KAFKA_RECORDS} records)…`);
    const shipping = await kafkaThroughput(KAFKA_RECORDS, KAFKA_ROUNDS);

    const result = {
      runs: RUNS,
      dep_loss_to_sigterm_ms_p50: round(median(pick("depLossToSigterm"))),
      dep_loss_to_sigterm_ms_p95: round(percentile(pick("depLossToSigterm"), 95)),
      dep_back_to_start_ms_p50: round(median(pick("depBackToStart"))),
      dep_back_to_start_ms_p95: round(percentile(pick("depBackToStart"), 95)),
      start_to_registered_ms_p50: round(median(pick("startToRegistered"))),
      sigterm_to_deregistered_ms_p50: round(median(pick("sigtermToDeregistered"))),
      sigterm_to_exit_ms_p50: round(median(pick("sigtermToExit"))),
      startup_overhead_ms: round(startup.pilot! - startup.mate_alone!),
      startup_overhead_bundle_ms: round(startup.pilot_bundle! - startup.mate_alone!),
      startup_overhead_no_config_ms: round(startup.pilot_no_config! - startup.mate_alone!),
      startup_overhead_env_configured_ms: round(startup.pilot_env! - startup.mate_alone!),
      startup_breakdown_ms: {
        mate_alone: startup.mate_alone,
        deno_runtime_spawning_true: startup.runtime,
        plus_node_util: startup.node_util,
        plus_zod: startup.zod,
        pilot_direct_mode: startup.pilot,
        pilot_direct_mode_no_config: startup.pilot_no_config,
        bundle_direct_mode: startup.pilot_bundle,
        pilot_direct_mode_env_configured: startup.pilot_env,
        pilot_launched_to_mate_started: startup.mate_started,
        deno_launched_to_child_started: startup.runtime_mate_started,
      },
      chain_depth: chain.depth,
      chain_all_waiting_ms: chain.allWaitingMs,
      chain_bring_up_from_root_ms: chain.bringUpFromRootMs,
      chain_bring_up_per_hop_ms: chain.bringUpPerHopMs,
      chain_cascade_down_ms: chain.cascadeDownMs,
      chain_cascade_down_per_hop_ms: chain.cascadeDownPerHopMs,
      chain_back_up_ms: chain.backUpMs,
      chain_back_up_per_hop_ms: chain.backUpPerHopMs,
      idle_rss_bundle_mb: idle.rssBundle,
      idle_rss_anonymous_bundle_mb: idle.anonBundle,
      idle_rss_mb: idle.rss,
      idle_rss_no_config_mb: idle.rssNoConfig,
      idle_rss_anonymous_no_config_mb: idle.anonNoConfig,
      idle_cpu_ms_per_min: idle.cpuPerMinute,
      consul_requests_per_min_idle: idle.perMinute,
      passthrough_lines_per_s: passthrough.passthrough_lines_per_s,
      passthrough_kafka_down_lines_per_s: passthrough.passthrough_kafka_down_lines_per_s,
      mate_alone_lines_per_s: passthrough.mate_alone_lines_per_s,
      kafka_records_per_s: shipping.kafka_records_per_s,
      kafka_records_per_s_runs: shipping.kafka_records_per_s_runs,
      kafka_warm_up_records_per_s: shipping.kafka_warm_up_records_per_s,
      kafka_producer_alone_records_per_s: shipping.kafka_producer_alone_records_per_s,
      kafka_producer_alone_records_per_s_runs: shipping.kafka_producer_alone_records_per_s_runs,
      kafka_records_lost: shipping.kafka_records_lost,
      kafka_topic_records: shipping.kafka_topic_records,
      kafka_pilot_cpu_s: shipping.kafka_pilot_cpu_s,
      kafka_stored_records_per_s: shipping.kafka_stored_records_per_s,
      buffer_rss_growth_mb: growth.buffer_rss_growth_mb,
    };
    const rows: [string, number, string][] = [
      ["dependency loss → SIGTERM p50", result.dep_loss_to_sigterm_ms_p50, "ms"],
      ["dependency loss → SIGTERM p95", result.dep_loss_to_sigterm_ms_p95, "ms (target ≤ 50)"],
      ["dependency back → start p50", result.dep_back_to_start_ms_p50, "ms"],
      ["dependency back → start p95", result.dep_back_to_start_ms_p95, "ms (target ≤ 100)"],
      ["mate started → passing p50", result.start_to_registered_ms_p50, "ms (target ≤ 50)"],
      ["SIGTERM → deregistered p50", result.sigterm_to_deregistered_ms_p50, "ms (target ≤ 20)"],
      ["SIGTERM → pilot exit p50", result.sigterm_to_exit_ms_p50, "ms"],
      [`chain of ${chain.depth}: all spawned → all waiting`, chain.allWaitingMs, "ms"],
      ["  root mate started → leaf mate", chain.bringUpFromRootMs, "ms (target ≤ 200)"],
      ["  … per hop", chain.bringUpPerHopMs, "ms"],
      ["  root mate killed → leaf SIGTERM", chain.cascadeDownMs, "ms"],
      ["  … per hop", chain.cascadeDownPerHopMs, "ms (target ≤ 10)"],
      ["  root mate back → leaf mate back", chain.backUpMs, "ms (after the backoff)"],
      ["  … per hop", chain.backUpPerHopMs, "ms"],
      [
        "direct-mode startup overhead",
        result.startup_overhead_ms,
        "ms (target ≤ 45, or ≤ 1.5 × Deno spawning `true`)",
      ],
      ["  deno spawning `true`", startup.runtime!, "ms"],
      ["  + node:util", startup.node_util!, "ms (not loaded without flags)"],
      ["  + zod", startup.zod!, "ms (only for a conffile's dependency list)"],
      ["  pilot (deno run main.ts -- true)", startup.pilot!, "ms"],
      [
        "startup overhead, the release's bundle",
        result.startup_overhead_bundle_ms,
        "ms (deno run amp-pilot.js -- true, no deno.json)",
      ],
      ["  main.ts the same way", result.startup_overhead_no_config_ms, "ms (no deno.json)"],
      ["  `true` alone", startup.mate_alone!, "ms"],
      ["pilot launched → mate started", startup.mate_started!, "ms (direct mode)"],
      ["  Deno launched → its child started", startup.runtime_mate_started!, "ms"],
      ["overhead, AMPPILOT_LAUNCH_CMD=true", result.startup_overhead_env_configured_ms, "ms"],
      [
        `idle RSS after ${IDLE_SECONDS / 2} s, the release's bundle`,
        result.idle_rss_bundle_mb,
        "MB (as deno run <URL>/amp-pilot.js; target ≤ 45)",
      ],
      [
        "  … of it anonymous",
        result.idle_rss_anonymous_bundle_mb,
        "MB (the rest: pages of the deno executable, shared)",
      ],
      [
        "  main.ts, no deno.json or lock",
        result.idle_rss_no_config_mb,
        "MB (deno run <URL>/main.ts)",
      ],
      ["  … of it anonymous", result.idle_rss_anonymous_no_config_mb, "MB"],
      ["  main.ts in the repository", result.idle_rss_mb, "MB (with deno.json and its lock)"],
      ["Consul requests per idle minute", result.consul_requests_per_min_idle, "/min"],
      ["CPU per idle minute", result.idle_cpu_ms_per_min, "ms/min"],
      ["mate alone, lines of 100 B", result.mate_alone_lines_per_s, "lines/s"],
      ["passthrough (Kafka off)", result.passthrough_lines_per_s, "lines/s (target ≥ 1e6)"],
      [
        "passthrough, Kafka unreachable",
        result.passthrough_kafka_down_lines_per_s,
        "lines/s (target ≥ 5e5)",
      ],
      [
        "Kafka end to end",
        result.kafka_records_per_s,
        `records/s (median of ${result.kafka_records_per_s_runs.join(", ")}; target ≥ 250,000)`,
      ],
      [
        "  first run, not counted",
        result.kafka_warm_up_records_per_s,
        "records/s (warms the broker up)",
      ],
      [
        "  the producer alone",
        result.kafka_producer_alone_records_per_s,
        `records/s (ready-made records; median of ${
          result.kafka_producer_alone_records_per_s_runs.join(", ")
        })`,
      ],
      [
        "  stored, no consumer running",
        result.kafka_stored_records_per_s,
        "records/s (start → broker's end offset)",
      ],
      ["  mate lines lost", result.kafka_records_lost, `of ${KAFKA_RECORDS} (target 0)`],
      [
        "  records in the topic",
        result.kafka_topic_records,
        "(lines + pilot records + duplicates)",
      ],
      ["  pilot CPU (user + system)", result.kafka_pilot_cpu_s, `s for ${KAFKA_RECORDS} records`],
      ["buffer RSS growth, Kafka down", result.buffer_rss_growth_mb, "MB (target ≤ 16 MiB + 10)"],
    ];
    for (const [label, value, unit] of rows) {
      console.log(`${label.padEnd(36)} ${String(value).padStart(8)} ${unit}`);
    }
    console.log(JSON.stringify(result));
  } finally {
    client.close();
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) await main();
