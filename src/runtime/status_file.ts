/**
 * The status file: the pilot writes whether its mate is ready, and when, so that
 * `amp-pilot health` (a Docker `HEALTHCHECK`) can answer without talking to the pilot.
 *
 * @module
 */

import type { Phase } from "../supervisor/types.ts";

/** The environment variable naming the status file (read by `amp-pilot health` too). */
export const STATUS_FILE_ENV = "AMPPILOT_STATUSFILE";

/** Where the status file is by default. */
export const DEFAULT_STATUS_FILE = "/tmp/amp-pilot.status.json";

/** What the status file holds. */
export interface PilotStatus {
  /** The supervisor's phase. */
  readonly phase: Phase;
  /** The mate is ready (registered and passing; in direct mode: running). */
  readonly ready: boolean;
  /** One line of explanation. */
  readonly reason: string;
  /** The pilot's pid. */
  readonly pid: number;
  /** When this was written (ms since the epoch). */
  readonly updatedAt: number;
  /** After this long without a new write the status is stale (ms). */
  readonly staleAfterMs: number;
}

/** Writes the status atomically (a temporary file renamed over the old one). */
export function writeStatus(path: string, status: PilotStatus): void {
  const tmp = `${path}.${status.pid}.tmp`;
  try {
    Deno.writeTextFileSync(tmp, `${JSON.stringify(status)}\n`);
    Deno.renameSync(tmp, path);
  } catch {
    // A read-only or missing folder must not stop the pilot; `health` will say it has no file.
  }
}

/** The verdict of `amp-pilot health`: healthy or not, and why, in one line. */
export function judgeStatus(
  text: string | undefined,
  path: string,
  now: number,
): { healthy: boolean; line: string } {
  if (text === undefined) {
    return { healthy: false, line: `no status file at ${path} (is amp-pilot running here?)` };
  }
  let status: PilotStatus;
  try {
    status = JSON.parse(text);
  } catch {
    return { healthy: false, line: `the status file ${path} is not valid JSON` };
  }
  if (typeof status.updatedAt !== "number" || typeof status.ready !== "boolean") {
    return { healthy: false, line: `the status file ${path} has no "ready" and "updatedAt"` };
  }
  const age = now - status.updatedAt;
  if (age > status.staleAfterMs) {
    return {
      healthy: false,
      line: `stale: the pilot last updated ${path} ${Math.round(age / 1000)} s ago`,
    };
  }
  if (status.ready) return { healthy: true, line: `ready (${status.phase}): ${status.reason}` };
  // A ready mate that Consul does not hold as passing: the reason says all.
  const phase = status.phase === "ready" ? "" : ` (${status.phase})`;
  return { healthy: false, line: `not ready${phase}: ${status.reason}` };
}
