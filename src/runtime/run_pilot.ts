/**
 * The imperative shell: feeds events from the adapters (dependency watchers, the mate, the ready
 * command, signals, timers) to the pure core one at a time, and carries out its commands.
 *
 * @module
 */

import type { PilotConfig } from "../config/types.ts";
import { ConsulClient } from "../consul/client.ts";
import { type DependencyWatch, watchDependency } from "../consul/dependency_watcher.ts";
import type { ConsulError } from "../consul/errors.ts";
import { Registration } from "../consul/registration.ts";
import { pilotLogger } from "../log/logger.ts";
import { type MateProcess, startMate } from "../mate/mate_process.ts";
import { signalGroup } from "../mate/process_group.ts";
import { runReadyCheck } from "../mate/ready_check.ts";
import { noReaper, type Reaper } from "../mate/reaper.ts";
import type { KafkaShipper } from "../logs/kafka_shipper.ts";
import { passThrough } from "../logs/passthrough.ts";
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

/** How a signal reaches the runtime. */
export interface SignalSource {
  /** Routes signals to `handler`, starting with those received before. */
  handOff(handler: (signal: Deno.Signal) => void): void;
}

/** Options of {@linkcode runPilot}. */
export interface RunOptions {
  /** The signal listeners installed first thing by `main.ts`. */
  readonly signals?: SignalSource;
  /** The zombie reaper (PID 1); none by default. */
  readonly reaper?: Reaper;
  /** Variables removed from the mate's environment (loader mode removes `CONSUL`). */
  readonly mateEnvRemove?: readonly string[];
  /** Longest wait for the final deregistration on exit (ms). */
  readonly exitDeregisterTimeoutMs?: number;
  /** Ships the mate's output to Kafka; without it the mate writes to the pilot's stdio. */
  readonly shipper?: KafkaShipper;
  /** The IP to register, resolved by the caller (`undefined`: Consul uses the agent's). */
  readonly registeredIp?: string;
}

/** The part of the configuration the core decides with. */
export function coreConfigOf(config: PilotConfig): CoreConfig {
  const consul = config.consul !== undefined;
  return {
    consul,
    dependencies: consul ? config.dependencies : [],
    hasReadyCommand: consul && config.cmdReady !== undefined,
    stopAtMateStop: config.stopAtMateStop,
    startupCheckPeriodMs: config.startupCheckPeriodMs,
    checkPeriodMs: config.checkPeriodMs,
    stopTimeoutMs: config.stopTimeoutMs,
  };
}

const log = pilotLogger("supervisor");
const consulLog = pilotLogger("consul");

/**
 * Runs the pilot until it exits.
 *
 * @returns The exit code.
 */
export async function runPilot(config: PilotConfig, options: RunOptions = {}): Promise<number> {
  const shell = new Shell(config, options);
  return await shell.run();
}

class Shell {
  readonly #config: PilotConfig;
  readonly #core: CoreConfig;
  readonly #options: RunOptions;
  readonly #reaper: Reaper;
  readonly #client: ConsulClient | undefined;
  readonly #registration: Registration | undefined;
  readonly #timers = new Map<TimerName, ReturnType<typeof setTimeout>>();
  readonly #queue: SupervisorEvent[] = [];
  readonly #watches: DependencyWatch[] = [];
  readonly #pending = new Set<Promise<unknown>>();
  #state: SupervisorState;
  #mate: MateProcess | undefined;
  #draining = false;
  #exit: (code: number) => void = () => {};
  readonly #readyChecks = new Set<number>();
  #statusTimer: ReturnType<typeof setInterval> | undefined;
  #lastStatus = "";

  constructor(config: PilotConfig, options: RunOptions) {
    this.#config = config;
    this.#core = coreConfigOf(config);
    this.#options = options;
    this.#reaper = options.reaper ?? noReaper();
    this.#state = initialState(this.#core);
    if (config.consul) {
      this.#client = new ConsulClient({
        address: config.consul,
        token: config.consulToken,
        tls: config.consulTls,
      });
      this.#registration = new Registration(this.#client, {
        service: this.#service(),
        onProblem: problemLogger("registration"),
      });
    }
  }

  async run(): Promise<number> {
    const exitCode = new Promise<number>((resolve) => (this.#exit = resolve));
    this.#options.signals?.handOff((signal) =>
      this.#dispatch({ type: "signal", signal, at: now() })
    );
    if (this.#client) {
      const watching = problemLogger("watch");
      for (const dep of this.#core.dependencies) {
        this.#watches.push(watchDependency(this.#client, dep.name, {
          health: (name, health) => this.#dispatch({ type: "dependency", name, health, at: now() }),
          problem: (name, error) => watching(error, name),
        }));
      }
    } else {
      log.info("no Consul address: direct mode");
    }
    const statusEvery = Math.min(this.#config.checkPeriodMs, 10_000);
    this.#statusTimer = setInterval(() => this.#publishStatus(true), statusEvery);
    this.#dispatch({ type: "start", at: now() });
    const code = await exitCode;
    await this.#shutdown();
    return code;
  }

  #service() {
    const c = this.#config;
    return {
      id: c.serviceId,
      name: c.name ?? c.serviceId,
      address: this.#options.registeredIp,
      port: c.registeredPort,
      tags: c.tags,
      meta: { "amp-pilot-version": VERSION },
      check: { ttlMs: 3 * c.checkPeriodMs, deregisterCriticalAfterMs: c.deregisterAfterMs },
    };
  }

  #dispatch(event: SupervisorEvent): void {
    this.#queue.push(event);
    if (!this.#draining) this.#track(this.#drain());
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      for (let event = this.#queue.shift(); event; event = this.#queue.shift()) {
        const result = step(this.#core, this.#state, event);
        this.#state = result.state;
        for (const command of result.commands) await this.#execute(command);
        this.#publishStatus(false);
      }
    } finally {
      this.#draining = false;
    }
  }

  async #execute(command: SupervisorCommand): Promise<void> {
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
        this.#track(this.#registration?.register());
        return;
      case "heartbeat":
        this.#track(
          this.#registration?.heartbeat(command.status, command.output).then((r) => {
            if (r === "lost") this.#dispatch({ type: "registration-lost", at: now() });
          }),
        );
        return;
      case "deregister":
        // Awaited: traffic must stop before the mate is signalled.
        await this.#registration?.deregister();
        return;
      case "run-ready-check":
        return this.#readyCheck();
      case "exit":
        this.#exit(command.code);
        return;
    }
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
    const copied = mate.output ? passThrough(mate.output, shipper) : Promise.resolve();
    // The exit is handled once the output is all copied, so that no line is lost.
    this.#track(
      Promise.all([mate.status, copied]).then(([status]) => {
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

  #readyCheck(): void {
    const argv = this.#config.cmdReady;
    if (!argv) return;
    let pid: number | undefined;
    this.#track(
      runReadyCheck(argv, this.#config.readyTimeoutMs, (spawned) => {
        pid = spawned;
        this.#reaper.manage(spawned);
        this.#readyChecks.add(spawned);
      }).then((result) => {
        if (pid !== undefined) {
          this.#readyChecks.delete(pid);
          this.#reaper.release(pid);
        }
        this.#dispatch({ type: "ready-result", ...result, at: now() });
      }),
    );
  }

  #setTimer(timer: TimerName, delayMs: number): void {
    this.#cancelTimer(timer);
    this.#timers.set(
      timer,
      setTimeout(() => {
        this.#timers.delete(timer);
        this.#dispatch({ type: "timer", timer, at: now() });
      }, Math.max(0, delayMs)),
    );
  }

  #cancelTimer(timer: TimerName): void {
    const id = this.#timers.get(timer);
    if (id !== undefined) clearTimeout(id);
    this.#timers.delete(timer);
  }

  #track(promise: Promise<unknown> | undefined): void {
    if (!promise) return;
    const tracked = promise.catch((e) => log.error("internal error: {error}", { error: String(e) }))
      .finally(() => this.#pending.delete(tracked));
    this.#pending.add(tracked);
  }

  /** Writes the status file when the status changed, or always when `refresh` is set. */
  #publishStatus(refresh: boolean): void {
    const s = this.#state;
    const ready = this.#core.consul ? s.phase === "ready" && !s.readyFailing : s.mateRunning;
    const reason = describePhase(s, this.#core.consul);
    const key = `${s.phase}|${ready}|${reason}`;
    if (!refresh && key === this.#lastStatus) return;
    this.#lastStatus = key;
    const every = Math.min(this.#config.checkPeriodMs, 10_000);
    writeStatus(this.#config.statusFile, {
      phase: s.phase,
      ready,
      reason,
      pid: Deno.pid,
      updatedAt: Date.now(),
      staleAfterMs: 3 * every + 1_000,
    });
  }

  async #shutdown(): Promise<void> {
    clearInterval(this.#statusTimer);
    this.#publishStatus(true);
    for (const timer of [...this.#timers.keys()]) this.#cancelTimer(timer);
    await Promise.all(this.#watches.map((w) => w.stop()));
    const deadline = this.#options.exitDeregisterTimeoutMs ?? 5_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.#registration?.settled(),
      new Promise((resolve) => (timer = setTimeout(resolve, deadline))),
    ]);
    clearTimeout(timer);
    // A ready command still running is not waited for.
    for (const pid of this.#readyChecks) signalGroup(pid, "SIGKILL");
    while (this.#pending.size > 0) await Promise.race([...this.#pending]);
    this.#client?.close();
  }
}

function describePhase(s: SupervisorState, consul: boolean): string {
  switch (s.phase) {
    case "waiting": {
      const pending = Object.entries(s.dependencies).filter(([, h]) => h !== "healthy");
      return pending.length > 0
        ? `waiting for ${pending.map(([n, h]) => `${n} (${h})`).join(", ")}`
        : "waiting for the restart backoff";
    }
    case "starting":
      return consul
        ? "the mate is starting; the ready command has not passed yet"
        : "the mate runs";
    case "ready":
      return s.readyFailing ? "the ready command fails" : "registered in Consul and passing";
    case "stopping":
      return "stopping the mate";
    case "exited":
      return "the pilot has exited";
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
