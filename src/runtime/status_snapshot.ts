/**
 * What the status file says, made from the supervisor's state: the phase in one line, the
 * dependencies, the mate, the instance in Consul and the last Consul error.
 *
 * @module
 */

import type { SupervisorState } from "../supervisor/types.ts";
import type { PilotStatus, RegistrationInfo } from "./status_file.ts";

/** What the snapshot needs besides the state. */
export interface SnapshotContext {
  /** Consul mode. */
  readonly consul: boolean;
  /** The instance, in Consul mode (its `state` is taken from the supervisor's state). */
  readonly instance: Omit<RegistrationInfo, "state"> | undefined;
  /** The last Consul error, with its time on the runtime clock. */
  readonly lastConsulError: { readonly message: string; readonly at: number } | undefined;
  /** Converts a time of the runtime clock to ms since the epoch. */
  readonly wallClock: (at: number) => number;
  /** Now, in ms since the epoch. */
  readonly now: number;
  /** After this long without a new write the status is stale (ms). */
  readonly staleAfterMs: number;
}

/** Whether the mate counts as ready: registered and passing (direct mode: running). */
export function isReady(s: SupervisorState, consul: boolean): boolean {
  return consul
    ? s.phase === "ready" && !s.readyFailing && s.registration === "accepted"
    : s.mateRunning;
}

/** The status to write. */
export function statusSnapshot(s: SupervisorState, c: SnapshotContext): PilotStatus {
  const wall = c.wallClock;
  const dependencies = Object.fromEntries(
    Object.entries(s.dependencies).map(([name, health]) => {
      const note = s.dependencyNotes[name];
      return [name, {
        health,
        since: Math.round(wall(note?.since ?? s.startedAt)),
        reason: note?.reason ?? health,
      }];
    }),
  );
  return {
    phase: s.phase,
    ready: isReady(s, c.consul),
    reason: describePhase(s, c.consul),
    pid: Deno.pid,
    updatedAt: c.now,
    staleAfterMs: c.staleAfterMs,
    startedAt: Math.round(wall(s.startedAt)),
    mate: {
      pid: s.matePid ?? null,
      starts: s.startCount,
      lastExit: s.lastExit ? { ...s.lastExit, at: Math.round(wall(s.lastExit.at)) } : null,
    },
    dependencies,
    ...(c.instance ? { registration: { state: s.registration, ...c.instance } } : {}),
    lastConsulError: c.lastConsulError
      ? { message: c.lastConsulError.message, at: Math.round(wall(c.lastConsulError.at)) }
      : null,
  };
}

/** The phase in one line, for `health` and `status`. */
export function describePhase(s: SupervisorState, consul: boolean): string {
  switch (s.phase) {
    case "waiting": {
      const pending = Object.entries(s.dependencies).filter(([, h]) => h !== "healthy");
      if (pending.length === 0) return "waiting for the restart backoff";
      const cycle = s.dependencyCycle ? `; dependency cycle: ${s.dependencyCycle.join(" → ")}` : "";
      return `waiting for ${pending.map(([n, h]) => `${n} (${h})`).join(", ")}${cycle}`;
    }
    case "starting":
      return consul
        ? "the mate is starting; the ready command has not passed yet"
        : "the mate runs";
    case "ready":
      return s.readyFailing ? "the ready command fails" : describeRegistration(s);
    case "stopping":
      return "stopping the mate";
    case "exited":
      return "the pilot has exited";
  }
}

function describeRegistration(s: SupervisorState): string {
  switch (s.registration) {
    case "accepted":
      return "registered in Consul and passing";
    case "registering":
      return "registering in Consul: no answer yet";
    default:
      return s.registrationProblem ?? "not registered in Consul";
  }
}
