/**
 * Watches one dependency with Consul blocking queries (`?passing`): a change is seen within
 * milliseconds, the index rules are applied, the loop is rate-limited, and Consul being
 * unreachable turns the health "unknown" and is retried with jittered backoff. An answer the ACL
 * token was not allowed to see in full is "unknown" too, never "unhealthy"; a blocking query that
 * outlives its wait is given up, said once, and asked again at once.
 *
 * @module
 */

import type { DependencyHealth } from "../supervisor/types.ts";
import { hiddenMessage, judgeAnswer, type MissingRight } from "./acl_visibility.ts";
import { nextBlockingIndex } from "./blocking_index.ts";
import type { ConsulClient, HealthResult } from "./client.ts";
import { formatDuration } from "./duration_text.ts";
import { ConsulError } from "./errors.ts";
import { after } from "../timer.ts";

/** First retry delay after a failed query (ms). */
export const DEFAULT_RETRY_INITIAL_MS = 100;
/** Longest retry delay after failed queries (ms), jitter included. */
export const DEFAULT_RETRY_MAX_MS = 500;

/**
 * Deadline of the plain query that follows a failed one (ms). While Consul has no leader it
 * holds a query and retries it itself, at 0–437 ms, then up to 875 ms, 1.75 s… (7 s
 * `rpc_hold_timeout` / 16, doubling), so a query held through an election may be answered
 * seconds after the new leader; given up after this deadline and asked again, it is answered
 * within about half a second of the leader being back.
 */
export const CATCH_UP_TIMEOUT_MS = 1_000;
/** Consecutive short deadlines before the normal one applies again (a slow Consul, not held). */
const MAX_SHORT_CATCH_UPS = 10;

/** Tuning of a watcher. */
export interface WatcherOptions {
  /** Longest wait of one blocking query (ms); default 5 minutes. */
  readonly waitMs?: number;
  /** Queries allowed in a burst before the rate limit applies; default 2. */
  readonly burst?: number;
  /** Time to earn one more query once the burst is spent (ms); default 250. */
  readonly refillMs?: number;
  /** First retry delay after a failure (ms); default 100. */
  readonly retryInitialMs?: number;
  /**
   * Longest retry delay (ms), jitter included: a true maximum; default 500. Short, so that the
   * watch is current again within a second of Consul answering again (a leader elected, the
   * agent back); a failed try costs the agent little, and Consul itself holds a query while it
   * has no leader rather than answering it at once.
   */
  readonly retryMaxMs?: number;
  /** Deadline of a plain query after a failure (ms); default {@linkcode CATCH_UP_TIMEOUT_MS}. */
  readonly catchUpTimeoutMs?: number;
}

/** Reports of a watcher. */
export interface WatcherListener {
  /**
   * The dependency's health changed (reported once per change); with `unknown`, `reason` says
   * why in a few words (e.g. "Consul is unreachable (connection refused)").
   */
  health(name: string, health: DependencyHealth, reason?: string): void;
  /** A query failed for a new reason, or queries work again (`error` undefined). */
  problem(name: string, error: ConsulError | undefined): void;
}

/** A running watch of one dependency. */
export interface DependencyWatch {
  /** Stops the loop and waits for it. */
  stop(): Promise<void>;
}

/** Starts watching `name`. */
export function watchDependency(
  client: ConsulClient,
  name: string,
  listener: WatcherListener,
  options: WatcherOptions = {},
): DependencyWatch {
  const controller = new AbortController();
  const loop = runLoop(client, name, listener, options, controller.signal);
  return {
    stop: async () => {
      controller.abort(new Error("watch stopped"));
      await loop;
    },
  };
}

async function runLoop(
  client: ConsulClient,
  name: string,
  listener: WatcherListener,
  options: WatcherOptions,
  signal: AbortSignal,
): Promise<void> {
  const waitMs = options.waitMs ?? 300_000;
  const bucket = new TokenBucket(options.burst ?? 2, options.refillMs ?? 250);
  let index = 0;
  let health: DependencyHealth | undefined;
  let failures = 0;
  let lastProblem = "";
  let lateSaid = false;
  const report = (next: DependencyHealth, reason?: string) => {
    if (next !== health) listener.health(name, health = next, reason);
  };
  const complain = (error: ConsulError) => {
    if (error.message !== lastProblem) listener.problem(name, error);
    lastProblem = error.message;
  };
  let held = 0;
  while (!signal.aborted) {
    const catchingUp = failures > 0 && held < MAX_SHORT_CATCH_UPS;
    try {
      await sleep(bucket.take(), signal);
      const timeoutMs = catchingUp ? options.catchUpTimeoutMs ?? CATCH_UP_TIMEOUT_MS : undefined;
      const query = { passing: true, index, waitMs, signal, timeoutMs };
      const result = await client.healthService(name, query)
        .catch((e) => {
          const late = index > 0 && e instanceof ConsulError && e.failure === "timeout";
          throw late ? lateError(client, name, e.call, waitMs) : e;
        });
      if (index > 0) lateSaid = false;
      const judged = await judge(client, name, result, index > 0, signal);
      if (judged.health === "unknown") {
        report("unknown", judged.error.reason);
        complain(judged.error);
      } else {
        report(judged.health);
        if (lastProblem !== "") listener.problem(name, undefined);
        lastProblem = "";
      }
      index = nextBlockingIndex(index, result.index);
      failures = 0;
      held = 0;
    } catch (e) {
      if (signal.aborted) break;
      if (!(e instanceof ConsulError)) throw e;
      if (e.failure === "late-answer") {
        // Ask again at once without blocking: only that answer says whether Consul is gone.
        if (!lateSaid) complain(e);
        lateSaid = true;
        index = 0;
        continue;
      }
      report("unknown", e.reason);
      complain(e);
      index = 0;
      if (catchingUp && e.failure === "timeout") {
        // Held by Consul (no leader yet): ask again at once, which restarts Consul's own retry
        // schedule of the query at its short end instead of waiting out its longer steps.
        held++;
        continue;
      }
      await sleep(retryDelay(failures++, options, Math.random()), signal).catch(() => {});
    }
  }
}

/** What an answer says the health is; with `unknown`, the error that says why. */
type Judged = { health: "healthy" | "unhealthy" } | { health: "unknown"; error: ConsulError };

/** Judges an answer, asking Consul again only about an empty one under a default-deny policy. */
async function judge(
  client: ConsulClient,
  name: string,
  result: HealthResult,
  blocking: boolean,
  signal: AbortSignal,
): Promise<Judged> {
  const sendsToken = client.sendsToken;
  const verdict = judgeAnswer({ passing: result.entries.length, ...result }, {
    sendsToken,
    blocking,
  });
  switch (verdict) {
    case "healthy":
    case "unhealthy":
      return { health: verdict };
    case "recheck": {
      const plain = await client.healthService(name, { passing: true, signal });
      return await judge(client, name, plain, false, signal);
    }
    case "ask": {
      if (await client.aclAllowsRead("service", name, signal)) return { health: "unhealthy" };
      return hidden(name, "service:read", sendsToken);
    }
    case "hidden":
      return hidden(name, await missingRight(client, name, signal), sendsToken);
  }
}

function hidden(name: string, missing: MissingRight, sendsToken: boolean): Judged {
  const call = `GET /v1/health/service/${encodeURIComponent(name)}`;
  return {
    health: "unknown",
    error: new ConsulError(call, "acl-filtered", hiddenMessage(name, missing, sendsToken)),
  };
}

/** Which right hid the instances: service:read on the dependency, or node:read. */
async function missingRight(
  client: ConsulClient,
  name: string,
  signal: AbortSignal,
): Promise<MissingRight> {
  try {
    return await client.aclAllowsRead("service", name, signal) ? "node:read" : "service:read";
  } catch (e) {
    if (signal.aborted) throw e;
    return "service:read or node:read";
  }
}

function lateError(client: ConsulClient, name: string, call: string, waitMs: number): ConsulError {
  const after = formatDuration(client.blockingDeadlineMs(waitMs));
  return new ConsulError(
    call,
    "late-answer",
    `Consul did not answer the watch of ${name} for ${after} ` +
      `(asked to answer within ${formatDuration(waitMs)}); asking again`,
  );
}

/**
 * The delay before retry number `failures` (0 first): the initial delay doubling per failure up
 * to the maximum, then a random 50–100 % of it, so that many pilots do not retry in step and the
 * maximum is never exceeded.
 */
export function retryDelay(failures: number, options: WatcherOptions, random: number): number {
  const base = Math.min(
    (options.retryInitialMs ?? DEFAULT_RETRY_INITIAL_MS) * 2 ** failures,
    options.retryMaxMs ?? DEFAULT_RETRY_MAX_MS,
  );
  return base * (0.5 + random / 2);
}

/** A token bucket: `burst` queries at once, then one per `refillMs`. */
class TokenBucket {
  #tokens: number;
  #updated = performance.now();
  constructor(readonly burst: number, readonly refillMs: number) {
    this.#tokens = burst;
  }
  /** Takes one token; returns how long to wait for it (ms). */
  take(): number {
    const now = performance.now();
    this.#tokens = Math.min(this.burst, this.#tokens + (now - this.#updated) / this.refillMs);
    this.#updated = now;
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : -this.#tokens * this.refillMs;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      timer.cancel();
      reject(signal.reason);
    };
    const timer = after(ms, () => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    });
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
