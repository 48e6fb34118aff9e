/**
 * The core's decisions while the mate waits long for its dependencies. The instance is listed in
 * Consul as waiting (its check critical, its dependencies in its Meta), so that the other pilots
 * and `amp-pilot graph` see what it waits for; and Consul is searched for a dependency cycle
 * through it (web → api → web), which no amount of waiting resolves: the pilot says so in one
 * error line instead of waiting silently for ever. Pure: the search is a command, its answer an
 * event.
 *
 * @module
 */

import { log } from "./log_command.ts";
import { missingDependencies } from "./waiting.ts";
import type { CoreConfig, SupervisorCommand, SupervisorEvent, SupervisorState } from "./types.ts";

/** How long the dependencies may be missing before the instance is listed as waiting (ms). */
export const ANNOUNCE_AFTER_MS = 5_000;

/**
 * How often, while the dependencies are missing, the waiting listing is renewed and Consul is
 * searched for a cycle (ms).
 */
export const CYCLE_PROBE_MS = 10_000;

/** The waiting listing's check TTL (ms): three renewals may fail before it expires. */
export const WAITING_TTL_MS = 3 * CYCLE_PROBE_MS;

/** The result of a decision: the new state and what to do. */
interface Decision {
  readonly state: SupervisorState;
  readonly commands: readonly SupervisorCommand[];
}

type RegistrationResult = Extract<SupervisorEvent, { type: "registration-result" }>;

/** The one error line a pilot waiting on a cycle says. */
export function cycleMessage(cycle: readonly string[]): string {
  return `dependency cycle: ${cycle.join(" → ")}; ` +
    "no service of it can start until one of them drops its dependency";
}

/** The timer to set whenever the pilot starts waiting for its dependencies. */
export function announceTimer(config: CoreConfig): SupervisorCommand[] {
  if (config.announceAfterMs === undefined || !config.consul) return [];
  if (config.dependencies.length === 0) return [];
  return [{ type: "set-timer", timer: "announce", delayMs: config.announceAfterMs }];
}

/**
 * The announce timer fired: while dependencies are missing, list the instance as waiting — again
 * at every period, which keeps Consul from reaping it while the pilot lives (a registration again
 * restarts its check; once the pilot is gone its check expires and Consul reaps the instance after
 * `DeregisterAfter`) — and search for a cycle.
 */
export function onAnnounceTimer(config: CoreConfig, state: SupervisorState): Decision {
  if (state.phase !== "waiting" || state.shutdownRequested) return { state, commands: [] };
  const again: SupervisorCommand = {
    type: "set-timer",
    timer: "announce",
    delayMs: config.cycleProbeMs ?? CYCLE_PROBE_MS,
  };
  const missing = missingDependencies(state);
  if (missing.length === 0) return { state, commands: [again] };
  const epoch = state.registrationEpoch + 1;
  const registration = state.registration === "announced" ? "announced" : "announcing";
  return {
    state: { ...state, registration, registrationEpoch: epoch },
    commands: [
      { type: "register", epoch, status: "critical", waiting: true },
      { type: "probe-cycle", missing },
      again,
    ],
  };
}

/** Consul answered the listing of the waiting instance. */
export function onAnnounceResult(state: SupervisorState, event: RegistrationResult): Decision {
  if (event.ok) {
    const line = state.registrationProblem !== undefined
      ? "Consul lists the waiting instance again"
      : state.registration === "announced"
      ? undefined
      : "listed in Consul as waiting (check critical), with the dependencies it waits for";
    return {
      state: { ...state, registration: "announced", registrationProblem: undefined },
      commands: line ? [log("info", line)] : [],
    };
  }
  const what = event.status === undefined
    ? `Consul did not take the waiting instance (${event.reason ?? "no answer"})`
    : `Consul refused the waiting instance (${event.status}${
      event.reason ? ` ${event.reason}` : ""
    })`;
  const problem = `${what}; other pilots cannot see what this one waits for`;
  return {
    state: { ...state, registration: "announcing", registrationProblem: problem },
    commands: problem === state.registrationProblem ? [] : [log("warning", problem)],
  };
}

/** The search for a cycle answered: say a new cycle once, and say when it is gone. */
export function onCycleProbed(
  state: SupervisorState,
  cycle: readonly string[] | undefined,
): Decision {
  const known = state.dependencyCycle;
  // An answer that comes once nothing is missing any more (or the mate runs) is about the past.
  if (state.phase !== "waiting" || missingDependencies(state).length === 0) {
    return { state: { ...state, dependencyCycle: undefined }, commands: [] };
  }
  if (cycle && known?.join("\u0000") === cycle.join("\u0000")) return { state, commands: [] };
  if (cycle) {
    return {
      state: { ...state, dependencyCycle: cycle },
      commands: [log("error", cycleMessage(cycle))],
    };
  }
  if (!known) return { state, commands: [log("debug", "no dependency cycle holds this pilot")] };
  return {
    state: { ...state, dependencyCycle: undefined },
    commands: [log("info", `the dependency cycle ${known.join(" → ")} is gone`)],
  };
}
