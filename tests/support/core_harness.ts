/**
 * Drives the pure supervisor core with events, for the core's tests.
 *
 * @module
 */

import { initialState, type Step, step } from "../../src/supervisor/core.ts";
import type {
  CoreConfig,
  SupervisorCommand,
  SupervisorEvent,
  SupervisorState,
} from "../../src/supervisor/types.ts";

/** A Consul-mode pilot with dependencies db (always) and cache (only at startup). */
export const CONFIG: CoreConfig = {
  consul: true,
  dependencies: [{ name: "db", onlyAtStartup: false }, { name: "cache", onlyAtStartup: true }],
  hasReadyCommand: false,
  stopAtMateStop: false,
  startupCheckPeriodMs: 1000,
  checkPeriodMs: 10_000,
  stopTimeoutMs: 5000,
};

/** Feeds events in order; returns the last step and every command issued. */
export class Harness {
  state: SupervisorState;
  all: SupervisorCommand[] = [];
  last: Step | undefined;
  /** Starts from the initial state of `config`. */
  constructor(readonly config: CoreConfig = CONFIG) {
    this.state = initialState(config);
  }
  /** Feeds one event; its commands. */
  send(event: SupervisorEvent): readonly SupervisorCommand[] {
    this.last = step(this.config, this.state, event);
    this.state = this.last.state;
    this.all.push(...this.last.commands);
    return this.last.commands;
  }
  /** Every one of `names` passes at `at`; the commands of the last. */
  healthy(at: number, ...names: string[]): readonly SupervisorCommand[] {
    for (const name of names) this.send({ type: "dependency", name, health: "healthy", at });
    return this.last!.commands;
  }
  /** Consul's 2xx to the last registration (or heartbeat). */
  accept(call: "register" | "heartbeat" = "register", at = 0): readonly SupervisorCommand[] {
    const epoch = this.state.registrationEpoch;
    return this.send({ type: "registration-result", call, epoch, ok: true, at });
  }
  /** Starts and spawns the mate at `at`. */
  running(at = 0): this {
    this.send({ type: "start", at });
    this.healthy(at, "db", "cache");
    this.send({ type: "mate-spawned", pid: 100, at });
    return this;
  }
}

/** Commands without log lines, to compare decisions. */
export function acts(commands: readonly SupervisorCommand[]): SupervisorCommand[] {
  return commands.filter((c) => c.type !== "log");
}

/** Whether a command of `type` is among `commands`. */
export function has(
  commands: readonly SupervisorCommand[],
  type: SupervisorCommand["type"],
): boolean {
  return commands.some((c) => c.type === type);
}

/** The log lines among `commands`. */
export function lines(commands: readonly SupervisorCommand[]): string[] {
  return commands.flatMap((c) => c.type === "log" ? [c.message] : []);
}
