/**
 * `amp-pilot run`: load the configuration, set up logging (and Kafka shipping), the PID-1
 * reaper, and supervise.
 *
 * @module
 */

import type { Environment } from "../config/env.ts";
import { ConfigError, partNotLoaded } from "../config/errors.ts";
import { type EffectiveConfig, loadEffectiveConfig } from "./effective_config.ts";
import type { PilotConfig } from "../config/types.ts";
import { flushLogging, pilotLogger, setupLogging } from "../log/logger.ts";
import type { KafkaShipper, ShipperLoss } from "../logs/kafka_shipper.ts";
import { noReaper, type Reaper } from "../mate/no_reaper.ts";
import { runPilot, type SignalSource } from "../runtime/run_pilot.ts";
import { STOP_SIGNALS } from "../supervisor/signals.ts";
import { loaderModeApplies } from "../docker/loader_mode.ts";
import { VERSION } from "../version.ts";

/** Inputs of {@linkcode runCommand}. */
export interface RunCommandOptions {
  /** The environment. */
  readonly env: Environment;
  /** The mate's argv from the command line. */
  readonly mateArgs: readonly string[];
  /** The signal listeners of `main.ts`. */
  readonly signals?: SignalSource;
  /** Writes to stderr (configuration errors). */
  readonly err: (text: string) => void;
}

/** How long the pilot keeps trying to deliver buffered logs on exit (ms). */
const LOG_FLUSH_TIMEOUT_MS = 3_000;
/** How long the pilot waits at exit for its last lines to reach a stderr that is read slowly. */
const STDERR_FLUSH_TIMEOUT_MS = 1_000;

/** Runs the pilot and returns its exit code. */
export async function runCommand(options: RunCommandOptions): Promise<number> {
  let effective;
  try {
    const loaded = await untilStopSignal(
      loadEffectiveConfig(options.env, options.mateArgs),
      options.signals,
    );
    if ("signal" in loaded) {
      // No mate runs yet, so nothing to stop: exit at once, as the supervisor would. Said in
      // loader mode, where discovery is what the signal cut short; direct mode stays silent.
      if (loaderModeApplies(options.env)) {
        options.err(
          `amp-pilot: received ${loaded.signal} during Docker discovery, before the mate ` +
            "started; exiting\n",
        );
      }
      return 0;
    }
    effective = loaded.value;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const { reportConfigError } = await (import(String("./check.ts")) as Promise<
      typeof import("./check.ts")
    >);
    return reportConfigError(e, options.err);
  }
  const { loaded } = effective;
  const { config } = loaded;
  const registeredIp = config.consul || config.kafka ? await resolveIp(config) : undefined;
  const shipper = config.kafka
    ? await createShipper(config, {
      hostIp: registeredIp?.ip ?? "",
      containerId: effective.containerId,
      containerShortId: options.env.HOSTNAME || effective.containerId.slice(0, 12),
      nodeId: effective.nodeId,
    })
    : undefined;
  // Direct mode is transparent: only problems reach stderr unless a level was asked for.
  const quiet = !config.consul && loaded.sources.logLevel?.source === "default";
  await setupLogging({
    level: quiet ? "warning" : config.logLevel,
    format: config.logFormat,
    extraSinks: shipper ? { kafka: (record) => shipper.pushLogRecord(record) } : undefined,
  });
  try {
    return await supervise(effective, options, registeredIp, shipper);
  } finally {
    // Last, so that the loss line and every line before it are written (or 1 s has passed).
    await flushLogging(STDERR_FLUSH_TIMEOUT_MS);
  }
}

/**
 * `work`'s result, or the stop signal (SIGTERM, SIGINT) that arrived first. Docker discovery
 * can take its deadline (3 s a call) with a hung engine; a SIGTERM is not kept waiting for it.
 */
async function untilStopSignal<T>(
  work: Promise<T>,
  signals: SignalSource | undefined,
): Promise<{ value: T } | { signal: Deno.Signal }> {
  const stop = signals?.arrival?.(STOP_SIGNALS);
  if (!stop) return { value: await work };
  // Left behind when the signal wins: it ends at its own deadline, its outcome unread.
  work.catch(() => {});
  return await Promise.race([
    work.then((value) => ({ value })),
    stop.then((signal) => ({ signal })),
  ]);
}

/** Logs the start's warnings, then runs the pilot until it exits; returns its exit code. */
async function supervise(
  effective: EffectiveConfig,
  options: RunCommandOptions,
  registeredIp: RegisteredIpChoice | undefined,
  shipper: KafkaShipper | undefined,
): Promise<number> {
  const { loaded: { config, warnings } } = effective;
  const log = pilotLogger();
  for (const warning of warnings) log.warn(warning);
  if (registeredIp && registeredIp.ip === undefined && config.consul) {
    log.warn("registering without an address ({reason}); Consul uses the agent's address", {
      reason: registeredIp.reason,
    });
  }
  log.debug("amp-pilot {version} starting as pid {pid}", { version: VERSION, pid: Deno.pid });
  shipper?.start();
  const reaper = Deno.pid === 1 ? await reaperOrNone() : noReaper();
  try {
    return await runPilot(config, {
      signals: options.signals,
      reaper,
      shipper,
      registeredIp: registeredIp?.ip,
      loaderMode: effective.loaderMode,
      // In loader mode a pilot inside the mate's own image must stay in direct mode.
      mateEnvRemove: effective.loaderMode ? ["CONSUL", "CONSUL_HTTP_ADDR"] : undefined,
    });
  } finally {
    reaper.close();
    if (shipper) reportLoss(await shipper.close(LOG_FLUSH_TIMEOUT_MS), log);
  }
}

/** Says, in one line, everything that did not reach Kafka, when anything did not. */
function reportLoss(loss: ShipperLoss, log: ReturnType<typeof pilotLogger>): void {
  const count = loss.dropped + loss.held;
  if (count === 0 && loss.unconfirmed === 0) return;
  const unconfirmed = loss.unconfirmed === 0 ? "" : `; Kafka may have {unconfirmed} more: they ` +
    "were sent, then dropped from the full buffer, and Kafka had not confirmed them";
  log.warn(
    "{count} log records could not be delivered to Kafka ({dropped} dropped from the full " +
      `buffer and not reported, {held} still held at exit)${unconfirmed}`,
    { ...loss, count },
  );
}

/** The address to register, or why there is none. */
type RegisteredIpChoice = { ip: string } | { ip: undefined; reason: string };

async function resolveIp(config: PilotConfig): Promise<RegisteredIpChoice> {
  const { listInterfaces, pickRegisteredIp } =
    await (import(String("../net/registered_ip.ts")) as Promise<
      typeof import("../net/registered_ip.ts")
    >);
  return pickRegisteredIp(config.registeredIp, config.netInterface, listInterfaces());
}

/** Who the records say they come from, besides the configuration. */
interface Origin {
  readonly hostIp: string;
  readonly containerId: string;
  readonly containerShortId: string;
  readonly nodeId: string;
}

async function createShipper(config: PilotConfig, origin: Origin): Promise<KafkaShipper> {
  // Not a literal specifier: Deno would read the module and its imports at start (issue #14).
  const { KafkaShipper } = await (import(String("../logs/kafka_shipper.ts")) as Promise<
    typeof import("../logs/kafka_shipper.ts")
  >);
  const kafkaLog = pilotLogger("kafka");
  const target = config.kafka!;
  const security = config.kafkaSecurity;
  const brokers = target.kind === "brokers"
    ? target.brokers
    : zookeeperBrokers(target, securityProtocol(security), kafkaLog);
  const where = target.kind === "brokers"
    ? target.brokers.join(",")
    : `ZooKeeper ${target.hosts.join(",")}`;
  return new KafkaShipper({
    brokers,
    topic: config.kafkaTopic,
    maxRecords: config.kafkaBuffer,
    maxBytes: config.kafkaBufferBytes,
    tls: security?.tls,
    sasl: security?.sasl,
    meta: {
      serviceName: config.name ?? config.serviceId,
      serviceId: config.serviceId,
      nodeId: origin.nodeId,
      containerId: origin.containerId,
      containerShortId: origin.containerShortId,
      hostIp: origin.hostIp,
    },
    onStateChange: (connected, reason) =>
      connected
        ? kafkaLog.info("Kafka is reachable ({where}); shipping logs", { where })
        : kafkaLog.warn("Kafka is unreachable ({reason}); buffering logs in memory", { reason }),
    onDuplicatesPossible: (reason) =>
      kafkaLog.warn("log records sent again to Kafka may be written twice: {reason}", { reason }),
    onRecordRejected: (reason) =>
      kafkaLog.error("a log record could not be sent to Kafka and was given up ({reason})", {
        reason,
      }),
  });
}

/** Kafka's name of the security protocol the pilot speaks: which broker endpoint it wants. */
function securityProtocol(security: PilotConfig["kafkaSecurity"]): string {
  const base = security?.tls ? "SSL" : "PLAINTEXT";
  return security?.sasl ? `SASL_${base}` : base;
}

/** Finds the brokers through ZooKeeper on each (re)connection; logs what it finds, once. */
function zookeeperBrokers(
  target: { hosts: readonly string[]; chroot: string },
  protocol: string,
  kafkaLog: ReturnType<typeof pilotLogger>,
): () => Promise<string[]> {
  let last = "";
  return async () => {
    let client: typeof import("../logs/zookeeper_discovery.ts");
    try {
      client = await (import(String("../logs/zookeeper_discovery.ts")) as Promise<
        typeof import("../logs/zookeeper_discovery.ts")
      >);
    } catch (e) {
      throw new Error(partNotLoaded("its ZooKeeper client", e));
    }
    const brokers = await client.discoverBrokers(target.hosts, target.chroot, { protocol });
    if (brokers.join(",") !== last) {
      last = brokers.join(",");
      kafkaLog.info("ZooKeeper lists the Kafka brokers {brokers}", { brokers: last });
    }
    return brokers;
  };
}

async function reaperOrNone(): Promise<Reaper> {
  try {
    const { startReaper } = await (import(String("../mate/reaper.ts")) as Promise<
      typeof import("../mate/reaper.ts")
    >);
    return startReaper();
  } catch (e) {
    pilotLogger().warn("running as PID 1 without zombie reaping: {reason}", {
      reason: (e as Error).message,
    });
    return noReaper();
  }
}
