/**
 * The core's decisions while the mate waits for its dependencies: the periodic "still waiting"
 * line and the startup timeout. Pure: times come from events.
 *
 * @module
 */

import { log } from "./log_command.ts";
import type { CoreConfig, SupervisorCommand, SupervisorState } from "./types.ts";

/**
 * The exit code when the startup timeout gives up: sysexits' EX_UNAVAILABLE ("a service is
 * unavailable"), distinct from any code the mate's own exit produces through the pilot except a
 * mate that exits 69 itself.
 */
export const STARTUP_TIMEOUT_EXIT_CODE = 69;

/** The "still waiting" period the runtime uses (ms). */
export const WAIT_REPORT_MS = 30_000;

/** Why a dependency with this health holds the mate back, when the watcher gave no reason. */
export function healthReason(health: "healthy" | "unhealthy" | "unknown"): string {
  switch (health) {
    case "healthy":
      return "passing";
    case "unhealthy":
      return "no passing instance";
    case "unknown":
      return "Consul cannot be reached";
  }
}

/**
 * Keeps why a dependency's health is not known: the failing Consul call, since the first
 * failure. A dependency whose health Consul did answer keeps its note.
 */
export function noteProblem(
  state: SupervisorState,
  name: string,
  problem: string | undefined,
  now: number,
): SupervisorState {
  const note = state.dependencyNotes[name];
  if (state.dependencies[name] !== "unknown" || problem === undefined) return state;
  const since = note?.problem ? note.since : now;
  return {
    ...state,
    dependencyNotes: {
      ...state.dependencyNotes,
      [name]: { since, reason: problem, problem: true },
    },
  };
}

/** The dependencies that are not healthy, by name. */
export function missingDependencies(state: SupervisorState): string[] {
  return Object.entries(state.dependencies)
    .filter(([, health]) => health !== "healthy")
    .map(([name]) => name);
}

/** The timers to set at the start: the waiting report and the startup timeout, when on. */
export function startTimers(config: CoreConfig): SupervisorCommand[] {
  if (!config.consul || config.dependencies.length === 0) return [];
  const commands: SupervisorCommand[] = [];
  if (config.waitReportMs !== undefined) {
    commands.push({ type: "set-timer", timer: "wait-report", delayMs: config.waitReportMs });
  }
  if (config.startupTimeoutMs !== undefined) {
    commands.push({
      type: "set-timer",
      timer: "startup-timeout",
      delayMs: config.startupTimeoutMs,
    });
  }
  return commands;
}

/**
 * Each missing dependency with why and for how long, e.g.
 * `db: no passing instance (45 s)`; empty when none is missing.
 */
export function describeMissing(state: SupervisorState, now: number): string[] {
  return Object.entries(state.dependencies)
    .filter(([, health]) => health !== "healthy")
    .map(([name, health]) => {
      const note = state.dependencyNotes[name];
      const since = note?.since ?? state.startedAt;
      const reason = note?.reason ?? healthReason(health);
      return `${name}: ${reason} (${seconds(now - since)})`;
    });
}

/** The periodic line while the mate waits for dependencies, and the next period. */
export function waitReport(
  config: CoreConfig,
  state: SupervisorState,
  now: number,
): SupervisorCommand[] {
  if (config.waitReportMs === undefined) return [];
  const commands: SupervisorCommand[] = [];
  const missing = describeMissing(state, now);
  if (state.phase === "waiting" && missing.length > 0) {
    commands.push(log("info", `still waiting for ${missing.join("; ")}`));
  }
  commands.push({ type: "set-timer", timer: "wait-report", delayMs: config.waitReportMs });
  return commands;
}

/**
 * When the startup timeout fires before the mate ever started: the line that says what was
 * missing. `undefined`: the mate started (or the pilot is leaving anyway); nothing to do.
 */
export function startupGiveUp(
  config: CoreConfig,
  state: SupervisorState,
  now: number,
): string | undefined {
  if (state.startCount > 0 || state.phase !== "waiting" || state.shutdownRequested) {
    return undefined;
  }
  const missing = describeMissing(state, now);
  if (missing.length === 0) return undefined;
  return `gave up after the startup timeout of ${seconds(config.startupTimeoutMs ?? 0)}: ` +
    `still missing ${missing.join("; ")}; exiting with ${STARTUP_TIMEOUT_EXIT_CODE}`;
}

/** A duration for a person: `45 s`, `2 min 5 s`. */
export function seconds(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  if (total < 60) return `${total} s`;
  const min = Math.floor(total / 60);
  const rest = total % 60;
  return rest === 0 ? `${min} min` : `${min} min ${rest} s`;
}
