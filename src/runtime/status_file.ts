/**
 * The status file: the pilot writes whether its mate is ready, and when, so that
 * `amp-pilot health` (a Docker `HEALTHCHECK`) can answer without talking to the pilot.
 *
 * @module
 */

import type { DependencyHealth, Phase, RegistrationStatus } from "../supervisor/types.ts";
import { isRecord, typeName, withArticle } from "../json_shape.ts";

/** The environment variable naming the status file (read by `amp-pilot health` too). */
export const STATUS_FILE_ENV = "AMPPILOT_STATUSFILE";

/** Where the status file is by default. */
export const DEFAULT_STATUS_FILE = "/tmp/amp-pilot.status.json";

/** One dependency in the status file. */
export interface DependencyStatus {
  /** Its health as last seen in Consul. */
  readonly health: DependencyHealth;
  /** Since when (ms since the epoch). */
  readonly since: number;
  /** Why, in words. */
  readonly reason: string;
}

/** The mate in the status file. */
export interface MateStatus {
  /** The running mate's pid; `null` when none runs. */
  readonly pid: number | null;
  /** How many times it was started. */
  readonly starts: number;
  /** How the last one ended; `null` before any ended. */
  readonly lastExit: {
    readonly code: number;
    readonly signal: string | null;
    /** When (ms since the epoch). */
    readonly at: number;
  } | null;
}

/** The instance in Consul, in the status file: what `amp-pilot maintenance` needs, no token. */
export interface RegistrationInfo {
  /** What Consul's answers show (see {@linkcode RegistrationStatus}). */
  readonly state: RegistrationStatus;
  /** Consul's address (`http(s)://…` with any password hidden, or `unix:///path`). */
  readonly consul: string;
  /** The instance id. */
  readonly serviceId: string;
  /** The service name. */
  readonly serviceName: string;
  /**
   * The address:port sent to Consul (`[v6]:port` for IPv6; `the agent's address:port` when Consul
   * uses the agent's address).
   */
  readonly address: string;
}

/**
 * What the status file holds. The fields after `staleAfterMs` are absent from a file an older
 * version wrote; `registration` is absent in direct mode too.
 */
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
  /** When the pilot started (ms since the epoch). */
  readonly startedAt?: number;
  /** The mate. */
  readonly mate?: MateStatus;
  /** Each dependency. */
  readonly dependencies?: Readonly<Record<string, DependencyStatus>>;
  /** The instance in Consul (Consul mode only). */
  readonly registration?: RegistrationInfo;
  /** The last error of a Consul call, and when (ms since the epoch); `null` when none. */
  readonly lastConsulError?: { readonly message: string; readonly at: number } | null;
}

/**
 * Writes the status atomically (a temporary file renamed over the old one).
 *
 * @returns Why it could not be written, or `undefined` when it was.
 */
export function writeStatus(path: string, status: PilotStatus): string | undefined {
  const tmp = `${path}.${status.pid}.tmp`;
  try {
    Deno.writeTextFileSync(tmp, `${JSON.stringify(status)}\n`);
    Deno.renameSync(tmp, path);
    return undefined;
  } catch (e) {
    // A read-only or missing folder must not stop the pilot; `health` will say it has no file.
    // Deno names the temporary file in its message; the path the operator gave says more.
    const message = e instanceof Error ? e.message.split("\n")[0]! : String(e);
    return `${path}: ${message.replace(/: \w+ '.*'$/, "")}`;
  }
}

/** The status file could not be read, though it may be there: why, in a few words. */
export interface UnreadableStatus {
  /** Why ("it is a FIFO, not a file", "Permission denied (os error 13)"). */
  readonly unreadable: string;
}

/**
 * The verdict of `amp-pilot health`: healthy or not, and why, in one line.
 *
 * @param text The file's text; `undefined` when there is no file; why it could not be read.
 */
export function judgeStatus(
  text: string | undefined | UnreadableStatus,
  path: string,
  now: number,
): { healthy: boolean; line: string } {
  if (text === undefined) {
    return { healthy: false, line: `no status file at ${path} (is amp-pilot running here?)` };
  }
  if (typeof text !== "string") {
    return { healthy: false, line: `cannot read the status file ${path}: ${text.unreadable}` };
  }
  let status: PilotStatus | null;
  try {
    status = JSON.parse(text);
  } catch {
    return { healthy: false, line: `the status file ${path} is not valid JSON` };
  }
  if (
    typeof status !== "object" || status === null || typeof status.updatedAt !== "number" ||
    typeof status.ready !== "boolean" || typeof status.staleAfterMs !== "number"
  ) {
    return {
      healthy: false,
      line: `the status file ${path} has no "ready", "updatedAt" and "staleAfterMs"`,
    };
  }
  const problem = shapeProblem(status);
  if (problem) {
    return { healthy: false, line: `the status file ${path} is not a pilot's status: ${problem}` };
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

/** What the status file's value must hold, field by field: the type each has. */
type Shape = { readonly [field: string]: Kind };
type Kind =
  | "string"
  | "number"
  | "boolean"
  | "number|null"
  | "string|null"
  | Shape
  | {
    readonly nullable: Shape;
  }
  | { readonly each: Shape }
  | { readonly optional: Kind };

const EXIT: Shape = { code: "number", signal: "string|null", at: "number" };

/** The status's fields and their types (optional ones are those an older pilot did not write). */
const STATUS_SHAPE: Shape = {
  phase: "string",
  ready: "boolean",
  reason: "string",
  pid: "number",
  updatedAt: "number",
  staleAfterMs: "number",
  startedAt: { optional: "number" },
  mate: {
    optional: { pid: "number|null", starts: "number", lastExit: { nullable: EXIT } },
  },
  dependencies: {
    optional: { each: { health: "string", since: "number", reason: "string" } },
  },
  registration: {
    optional: {
      state: "string",
      consul: "string",
      serviceId: "string",
      serviceName: "string",
      address: "string",
    },
  },
  lastConsulError: { optional: { nullable: { message: "string", at: "number" } } },
};

/** The status a status file's text holds, or undefined when it holds no pilot's status. */
export function parseStatus(text: string): PilotStatus | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return shapeProblem(value) === undefined ? value as PilotStatus : undefined;
}

/** The first field of `value` that does not have its type, said as `field is X, expected Y`. */
function shapeProblem(
  value: unknown,
  shape: Shape = STATUS_SHAPE,
  at = "",
): string | undefined {
  if (!isRecord(value)) return `${at || "the value"} is ${typeName(value)}, expected an object`;
  for (const [field, kind] of Object.entries(shape)) {
    const problem = kindProblem(value[field], kind, at ? `${at}.${field}` : field);
    if (problem) return problem;
  }
  return undefined;
}

function kindProblem(value: unknown, kind: Kind, at: string): string | undefined {
  if (typeof kind === "string") {
    const allowed = kind.split("|");
    const actual = value === null ? "null" : typeof value;
    return allowed.includes(actual)
      ? undefined
      : `${at} is ${typeName(value)}, expected ${allowed.map(withArticle).join(" or ")}`;
  }
  if ("optional" in kind) {
    return value === undefined ? undefined : kindProblem(value, kind.optional as Kind, at);
  }
  if ("nullable" in kind) {
    return value === null ? undefined : shapeProblem(value, kind.nullable as Shape, at);
  }
  if ("each" in kind) {
    if (!isRecord(value)) return `${at} is ${typeName(value)}, expected an object`;
    for (const [key, item] of Object.entries(value)) {
      const problem = shapeProblem(item, kind.each as Shape, `${at}.${key}`);
      if (problem) return problem;
    }
    return undefined;
  }
  return shapeProblem(value, kind as Shape, at);
}
