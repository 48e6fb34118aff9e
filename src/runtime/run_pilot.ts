/**
 * The imperative shell: feeds events from the adapters (dependency watchers, the mate, the ready
 * command, signals, timers) to the pure core one at a time, and carries out its commands. No
 * command is waited for: calls to Consul run with their deadlines and report back as events, so
 * a signal, a dependency change or the mate's exit reaches the core the moment it happens.
 *
 * @module
 */

import type { PilotConfig } from "../config/types.ts";
import type { ConsulClient, ServiceRegistration } from "../consul/client.ts";
import type { DependencyWatch } from "../consul/dependency_watcher.ts";
import type { ConsulError } from "../consul/errors.ts";
import type { CallOutcome, Registration } from "../consul/registration.ts";
import { describeFailure } from "../supervisor/registration_steps.ts";
import { pilotLogger } from "../log/logger.ts";
import { type MateProcess, startMate } from "../mate/mate_process.ts";
import { signalGroup } from "../mate/process_group.ts";
import { noReaper, type Reaper } from "../mate/no_reaper.ts";
import type { KafkaShipper } from "../logs/kafka_shipper.ts";
import { initialState, step } from "../supervisor/core.ts";
import type {
  CoreConfig,
  SupervisorCommand,
  SupervisorEvent,
  SupervisorState,
  TimerName,
} from "../supervisor/types.ts";
import { VERSION } from "../version.ts";
import { writeStatus } from "./status_file.ts";
import {
  registeredAddress,
  showConsulAddress,
  showListenAddress,
  startLine,
} from "./start_line.ts";
import { statusSnapshot } from "./status_snapshot.ts";
import { ConsulTally } from "./consul_tally.ts";
import { WAIT_REPORT_MS } from "../supervisor/waiting.ts";
import { ANNOUNCE_AFTER_MS, CYCLE_PROBE_MS, WAITING_TTL_MS } from "../supervisor/announcement.ts";
import type { TelemetryServer } from "../telemetry/server.ts";
import type { PilotStatus, RegistrationInfo } from "./status_file.ts";
import { after, every, type Timer, within } from "../timer.ts";

/** How a signal reaches the runtime. */
export interface SignalSource {
  /** Routes signals to `handler`, starting with those received before. */
  handOff(handler: (signal: Deno.Signal) => void): void;
  /**
   * Resolves with the first of `signals` received before the hand-off (optional): the pilot
   * then exits 0 without waiting for what it was loading, as no mate runs yet.
   */
  arrival?(signals: readonly string[]): Promise<Deno.Signal>;
}

/** Options of {@linkcode runPilot}. */
export interface RunOptions {
  /** The signal listeners installed first thing by `main.ts`. */
  readonly signals?: SignalSource;
  /** The zombie reaper (PID 1); none by default. */
  readonly reaper?: Reaper;
  /** Variables removed from the mate's environment (loader mode removes `CONSUL`). */
  readonly mateEnvRemove?: readonly string[];
  /** Longest wait for the final deregistration on exit (ms); at most 1 s by default. */
  readonly exitDeregisterTimeoutMs?: number;
  /** Ships the mate's output to Kafka; without it the mate writes to the pilot's stdio. */
  readonly shipper?: KafkaShipper;
  /** The IP to register, resolved by the caller (`undefined`: Consul uses the agent's). */
  readonly registeredIp?: string;
  /** The configuration came from the loader (said in the start line). */
  readonly loaderMode?: boolean;
}

/** The part of the configuration the core decides with. */
export function coreConfigOf(config: PilotConfig, registeredIp?: string): CoreConfig {
  const consul = config.consul !== undefined;
  return {
    startupTimeoutMs: consul ? config.startupTimeoutMs : undefined,
    waitReportMs: WAIT_REPORT_MS,
    announceAfterMs: ANNOUNCE_AFTER_MS,
    cycleProbeMs: CYCLE_PROBE_MS,
    instance: `${config.serviceId} at ${registeredAddress(config, registeredIp)}`,
    consul,
    dependencies: consul ? config.dependencies : [],
    hasReadyCommand: consul && config.cmdReady !== undefined,
    stopAtMateStop: config.stopAtMateStop,
    startupCheckPeriodMs: config.startupCheckPeriodMs,
    checkPeriodMs: config.checkPeriodMs,
    stopTimeoutMs: config.stopTimeoutMs,
  };
}

/**
 * At the pilot's exit, how long the mate's output may still be copied (ms): what the mate wrote
 * before it exited is in the pipe already; a daemon it left behind holding the pipe open must not
 * hold the exit up.
 */
const OUTPUT_DRAIN_MS = 1_000;

/** Deadline of one search for a dependency cycle (ms): a few health queries. */
const CYCLE_PROBE_TIMEOUT_MS = 5_000;

/** How long the exit waits for the telemetry endpoint's requests under way (ms). */
const TELEMETRY_CLOSE_MS = 500;

const log = pilotLogger("supervisor");
const consulLog = pilotLogger("consul");

/**
 * Runs the pilot until it exits.
 *
 * @returns The exit code.
 */
export async function runPilot(config: PilotConfig, options: RunOptions = {}): Promise<number> {
  const shell = new Shell(config, options, await loadAdapters(config, options));
  return await shell.run();
}

type ConsulAdapters = typeof import("./adapters.ts");

/** The adapters a run needs beyond the core's, loaded only when it needs them. */
interface Adapters {
  /** Consul's client, registration, watch and cycle search (Consul mode). */
  readonly consul?: ConsulAdapters;
  /** Copies the mate's output to Kafka (log shipping). */
  readonly passThrough?: typeof import("../logs/passthrough.ts").passThrough;
  /** Runs the ready command (Consul mode with one). */
  readonly runReadyCheck?: typeof import("../mate/ready_check.ts").runReadyCheck;
}

// Not literal specifiers: Deno would read each module and its imports at start (issue #14).
async function loadAdapters(config: PilotConfig, options: RunOptions): Promise<Adapters> {
  const [consul, copying, ready] = await Promise.all([
    config.consul ? import(String("./adapters.ts")) as Promise<ConsulAdapters> : undefined,
    options.shipper
      ? import(String("../logs/passthrough.ts")) as Promise<
        typeof import("../logs/passthrough.ts")
      >
      : undefined,
    config.consul && config.cmdReady
      ? import(String("../mate/ready_check.ts")) as Promise<
        typeof import("../mate/ready_check.ts")
      >
      : undefined,
  ]);
  return { consul, passThrough: copying?.passThrough, runReadyCheck: ready?.runReadyCheck };
}

class Shell {
  readonly #config: PilotConfig;
  readonly #core: CoreConfig;
  readonly #options: RunOptions;
  readonly #adapters: Adapters;
  readonly #reaper: Reaper;
  readonly #client: ConsulClient | undefined;
  readonly #registration: Registration | undefined;
  /** The instance as listed while the mate waits for its dependencies. */
  readonly #waitingListing: ServiceRegistration | undefined;
  readonly #timers = new Map<TimerName, Timer>();
  readonly #queue: SupervisorEvent[] = [];
  readonly #watches: DependencyWatch[] = [];
  readonly #pending = new Set<Promise<unknown>>();
  /** Copies of the mate's output; they may outlive the mate (a daemon holding its pipes). */
  readonly #copies = new Set<Promise<unknown>>();
  #state: SupervisorState;
  #mate: MateProcess | undefined;
  #draining = false;
  #exit: (code: number) => void = () => {};
  readonly #readyChecks = new Set<number>();
  #statusTimer: Timer | undefined;
  #lastStatus = "";
  #statusProblem: string | undefined;
  readonly #consulCalls = new ConsulTally();
  /** Aborted at the exit: searches still running are not waited for. */
  readonly #leaving = new AbortController();
  #telemetry: TelemetryServer | undefined;
  /** The instance in Consul for the status file; fixed for the pilot's life. */
  readonly #instance: Omit<RegistrationInfo, "state"> | undefined;

  constructor(config: PilotConfig, options: RunOptions, adapters: Adapters) {
    this.#config = config;
    this.#adapters = adapters;
    this.#core = coreConfigOf(config, options.registeredIp);
    this.#instance = config.consul && {
      consul: showConsulAddress(config.consul),
      serviceId: config.serviceId,
      serviceName: config.name ?? config.serviceId,
      address: registeredAddress(config, options.registeredIp),
    };
    this.#options = options;
    this.#reaper = options.reaper ?? noReaper();
    this.#state = initialState(this.#core);
    const consul = adapters.consul;
    if (config.consul && consul) {
      this.#client = new consul.ConsulClient({
        address: config.consul,
        token: config.consulToken,
        tls: config.consulTls,
      });
      const service = this.#service(consul.dependencyMeta);
      this.#registration = new consul.Registration(this.#client, { service });
      this.#waitingListing = {
        ...service,
        meta: { ...service.meta, [consul.WAITING_META_KEY]: "true" },
        check: { ...service.check, ttlMs: WAITING_TTL_MS },
      };
    }
  }

  async run(): Promise<number> {
    const exitCode = new Promise<number>((resolve) => (this.#exit = resolve));
    this.#options.signals?.handOff((signal) =>
      this.#dispatch({ type: "signal", signal, at: now() })
    );
    log.info(startLine(this.#config, this.#options));
    // The first write says at once, before the mate starts, whether health and status will see
    // this pilot.
    this.#publishStatus(true);
    if (this.#config.telemetry) await this.#serveTelemetry(this.#config.telemetry);
    if (this.#client) {
      const watching = problemLogger("watch");
      for (const dep of this.#core.dependencies) {
        this.#watches.push(this.#adapters.consul!.watchDependency(this.#client, dep.name, {
          health: (name, health, reason?: string) =>
            this.#dispatch({ type: "dependency", name, health, reason, at: now() }),
          problem: (name, error) => {
            this.#dispatch({
              type: "dependency-problem",
              name,
              problem: error?.message,
              at: now(),
            });
            if (error) {
              this.#consulCalls.error(error.message, now());
              this.#consulCalls.watchProblem(error);
            }
            watching(error, name);
          },
        }));
      }
    }
    this.#dispatch({ type: "start", at: now() });
    this.#statusTimer = every(this.#statusEveryMs(), () => this.#publishStatus(true));
    const code = await exitCode;
    await this.#shutdown();
    return code;
  }

  #service(dependencyMeta: ConsulAdapters["dependencyMeta"]) {
    const c = this.#config;
    return {
      id: c.serviceId,
      name: c.name ?? c.serviceId,
      address: this.#options.registeredIp,
      port: c.registeredPort,
      tags: c.tags,
      meta: { "amp-pilot-version": VERSION, ...dependencyMeta(c.dependencies) },
      check: { ttlMs: 3 * c.checkPeriodMs, deregisterCriticalAfterMs: c.deregisterAfterMs },
    };
  }

  /** Hands `event` to the core now (or right after the event being handled) and acts on it. */
  #dispatch(event: SupervisorEvent): void {
    this.#queue.push(event);
    if (this.#draining) return;
    this.#draining = true;
    try {
      for (let next = this.#queue.shift(); next; next = this.#queue.shift()) {
        const result = step(this.#core, this.#state, next);
        this.#state = result.state;
        for (const command of result.commands) this.#executeSafely(command);
      }
      // Once per batch of events, not once per event.
      this.#publishStatus(false);
    } finally {
      this.#draining = false;
    }
  }

  #executeSafely(command: SupervisorCommand): void {
    try {
      this.#execute(command);
    } catch (e) {
      log.error("internal error: {error}", { error: String(e) });
    }
  }

  #execute(command: SupervisorCommand): void {
    switch (command.type) {
      case "log":
        logCommand(command.level, command.message);
        return;
      case "spawn":
        return this.#spawn();
      case "signal-mate":
        this.#mate?.signal(command.signal as Deno.Signal);
        return;
      case "kill-mate":
        this.#mate?.signal("SIGKILL");
        return;
      case "set-timer":
        this.#setTimer(command.timer, command.delayMs);
        return;
      case "cancel-timer":
        this.#cancelTimer(command.timer);
        return;
      case "register":
        this.#track(
          this.#registration?.register(
            command.status,
            command.waiting ? this.#waitingListing : undefined,
          ).then((outcome) => this.#answered("register", command.epoch, outcome)),
        );
        return;
      case "heartbeat":
        this.#track(
          this.#registration?.heartbeat(command.status, command.output, command.timeoutMs)
            .then((outcome) => this.#answered("heartbeat", command.epoch, outcome)),
        );
        return;
      case "deregister":
        this.#track(
          this.#registration?.deregister().then((outcome) =>
            this.#deregistered(command.epoch, outcome)
          ),
        );
        return;
      case "run-ready-check":
        return this.#readyCheck(command.run);
      case "probe-cycle":
        return this.#probeCycle(command.missing);
      case "exit":
        this.#exit(command.code);
        return;
    }
  }

  /** Reports Consul's answer to a registration or a heartbeat to the core. */
  #answered(call: "register" | "heartbeat", epoch: number, outcome: CallOutcome): void {
    if (outcome.result === "superseded") return;
    this.#consulCalls.outcome(call, outcome);
    if (outcome.result === "failed") {
      this.#consulCalls.error(describeFailure({ call, ...outcome }), now());
    }
    this.#dispatch(
      outcome.result === "ok"
        ? { type: "registration-result", call, epoch, ok: true, at: now() }
        : {
          type: "registration-result",
          call,
          epoch,
          ok: false,
          status: outcome.status,
          reason: outcome.reason,
          at: now(),
        },
    );
  }

  #deregistered(epoch: number, outcome: CallOutcome): void {
    if (outcome.result === "superseded") return;
    this.#consulCalls.outcome("deregister", outcome);
    // 404: the agent does not know the instance (never registered, or forgotten): it is out.
    const gone = outcome.result === "ok" || outcome.status === 404;
    if (outcome.result === "failed" && !gone) {
      const reason = outcome.status ? `${outcome.status} ${outcome.reason}` : outcome.reason;
      this.#consulCalls.error(`Consul did not take the instance out (${reason})`, now());
      consulLog.warn(
        "Consul did not take the instance out ({reason}); its check turns critical after the TTL",
        { reason },
      );
    }
    this.#dispatch({ type: "deregistration-result", epoch, ok: gone, at: now() });
  }

  #spawn(): void {
    const shipper = this.#options.shipper;
    const started = startMate(this.#config.cmd, {
      removeEnv: this.#options.mateEnvRemove,
      onSpawn: (pid) => this.#reaper.manage(pid),
      stdio: shipper ? "piped-output" : "inherit",
    });
    if (!started.ok) {
      this.#queue.unshift({
        type: "mate-spawn-failed",
        exitCode: started.failure.exitCode,
        reason: started.failure.reason,
        at: now(),
      });
      return;
    }
    const mate = started.mate;
    this.#mate = mate;
    this.#queue.unshift({ type: "mate-spawned", pid: mate.pid, at: now() });
    if (mate.output) this.#trackCopy(this.#adapters.passThrough!(mate.output, shipper));
    // The exit is the process's status, never the end of its pipes (a daemon may hold them).
    this.#track(
      mate.status.then((status) => {
        this.#reaper.release(mate.pid);
        if (this.#mate === mate) this.#mate = undefined;
        this.#dispatch({
          type: "mate-exited",
          code: status.code,
          signal: status.signal,
          at: now(),
        });
      }),
    );
  }

  /** Searches Consul for a cycle through this service; a failed search is tried at the next period. */
  #probeCycle(missing: readonly string[]): void {
    const client = this.#client;
    if (!client) return;
    const self = this.#config.name ?? this.#config.serviceId;
    const signal = AbortSignal.any([
      this.#leaving.signal,
      AbortSignal.timeout(CYCLE_PROBE_TIMEOUT_MS),
    ]);
    this.#track(
      this.#adapters.consul!.findDependencyCycle(client, self, missing, signal).then(
        (cycle) => this.#dispatch({ type: "cycle-probed", cycle, at: now() }),
        (e: unknown) => {
          if (this.#leaving.signal.aborted) return;
          consulLog.debug("cannot search Consul for a dependency cycle: {reason}", {
            reason: e instanceof Error ? e.message : String(e),
          });
        },
      ),
    );
  }

  #readyCheck(run: number): void {
    const argv = this.#config.cmdReady;
    if (!argv) return;
    let pid: number | undefined;
    this.#track(
      this.#adapters.runReadyCheck!(argv, this.#config.readyTimeoutMs, (spawned) => {
        pid = spawned;
        this.#reaper.manage(spawned);
        this.#readyChecks.add(spawned);
      }).then((result) => {
        if (pid !== undefined) {
          this.#readyChecks.delete(pid);
          this.#reaper.release(pid);
        }
        this.#dispatch({ type: "ready-result", run, ...result, at: now() });
      }),
    );
  }

  #setTimer(timer: TimerName, delayMs: number): void {
    this.#cancelTimer(timer);
    this.#timers.set(
      timer,
      after(delayMs, () => {
        this.#timers.delete(timer);
        this.#dispatch({ type: "timer", timer, at: now() });
      }),
    );
  }

  #cancelTimer(timer: TimerName): void {
    this.#timers.get(timer)?.cancel();
    this.#timers.delete(timer);
  }

  #trackCopy(copy: Promise<void>): void {
    const tracked = copy.catch((e) =>
      log.error("copying the mate's output failed: {error}", {
        error: String(e),
      })
    ).finally(() => this.#copies.delete(tracked));
    this.#copies.add(tracked);
  }

  #track(promise: Promise<unknown> | undefined): void {
    if (!promise) return;
    const tracked = promise.catch((e) => log.error("internal error: {error}", { error: String(e) }))
      .finally(() => this.#pending.delete(tracked));
    this.#pending.add(tracked);
  }

  /** Serves /metrics and /status; a port that cannot be opened is a warning, not a failure. */
  async #serveTelemetry(address: { hostname: string; port: number }): Promise<void> {
    const { serveTelemetry } = await (import(String("../telemetry/server.ts")) as Promise<
      typeof import("../telemetry/server.ts")
    >);
    const where = showListenAddress(address);
    try {
      this.#telemetry = serveTelemetry(address, {
        metrics: () => this.#metrics(),
        status: () => this.#snapshot(),
      });
      log.info("telemetry at http://{where}/metrics and /status", { where });
    } catch (e) {
      log.warn("no telemetry: cannot listen on {where} ({reason})", {
        where,
        reason: e instanceof Error ? e.message : String(e),
      });
    }
  }

  #metrics() {
    const s = this.#state;
    const shipper = this.#options.shipper;
    return {
      mateUp: s.mateRunning,
      mateStarts: s.startCount,
      dependencies: Object.fromEntries(
        Object.entries(s.dependencies).map(([name, h]) => [name, h === "healthy"]),
      ),
      consulRequests: this.#consulCalls.counts,
      kafka: shipper
        ? { delivered: shipper.sent, dropped: shipper.droppedTotal, buffered: shipper.buffered }
        : undefined,
    };
  }

  /** How often the status file is rewritten (ms). */
  #statusEveryMs(): number {
    return Math.min(this.#config.checkPeriodMs, 10_000);
  }

  #snapshot(): PilotStatus {
    return statusSnapshot(this.#state, {
      consul: this.#core.consul,
      instance: this.#instance,
      lastConsulError: this.#consulCalls.lastError,
      wallClock: (at) => performance.timeOrigin + at,
      now: Date.now(),
      staleAfterMs: 3 * this.#statusEveryMs() + 1_000,
    });
  }

  /** Writes the status file when the status changed, or always when `refresh` is set. */
  #publishStatus(refresh: boolean): void {
    const status = this.#snapshot();
    const { updatedAt: _, ...content } = status;
    const key = JSON.stringify(content);
    if (!refresh && key === this.#lastStatus) return;
    this.#lastStatus = key;
    const problem = writeStatus(this.#config.statusFile, status);
    if (problem !== this.#statusProblem) {
      if (problem) {
        log.warn(
          "cannot write the status file ({problem}); amp-pilot health and status will not see " +
            "this pilot",
          { problem },
        );
      } else log.info("the status file can be written again");
    }
    this.#statusProblem = problem;
  }

  async #shutdown(): Promise<void> {
    this.#statusTimer?.cancel();
    this.#publishStatus(true);
    for (const timer of [...this.#timers.keys()]) this.#cancelTimer(timer);
    await Promise.all(this.#watches.map((w) => w.stop()));
    const deadline = this.#options.exitDeregisterTimeoutMs ??
      this.#adapters.consul?.DEREGISTER_TIMEOUT_MS ?? 0;
    await Promise.all([
      within(deadline, this.#registration?.settled()),
      within(OUTPUT_DRAIN_MS, Promise.all(this.#copies)),
    ]);
    this.#registration?.abandon();
    // A ready command still running is not waited for.
    for (const pid of this.#readyChecks) signalGroup(pid, "SIGKILL");
    this.#leaving.abort();
    while (this.#pending.size > 0) await Promise.race([...this.#pending]);
    // A scraper in the middle of a request must not hold the exit up.
    await within(TELEMETRY_CLOSE_MS, this.#telemetry?.close());
    this.#client?.close();
  }
}

function now(): number {
  return performance.now();
}

function logCommand(level: "debug" | "info" | "warning" | "error", message: string): void {
  if (level === "warning") log.warn(message);
  else log[level](message);
}

/** Logs Consul problems once per change (a new reason, or recovery), not once per try. */
function problemLogger(what: string): (error: ConsulError | undefined, name?: string) => void {
  const last = new Map<string, string>();
  return (error, name = "") => {
    const previous = last.get(name);
    if (error === undefined) {
      if (previous) consulLog.info(`${what}${name ? ` ${name}` : ""}: Consul answers again`);
      last.delete(name);
      return;
    }
    if (previous === error.message) return;
    last.set(name, error.message);
    consulLog.warn(`${what}${name ? ` ${name}` : ""}: {message}`, { message: error.message });
  };
}
