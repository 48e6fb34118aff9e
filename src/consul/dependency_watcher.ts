/**
 * Watches one dependency with Consul blocking queries (`?passing`): a change is seen within
 * milliseconds, the index rules are applied, the loop is rate-limited, and Consul being
 * unreachable turns the health "unknown" and is retried with jittered backoff.
 *
 * @module
 */

import type { DependencyHealth } from "../supervisor/types.ts";
import { nextBlockingIndex } from "./blocking_index.ts";
import type { ConsulClient } from "./client.ts";
import { ConsulError } from "./errors.ts";

/** Tuning of a watcher. */
export interface WatcherOptions {
  /** Longest wait of one blocking query (ms); default 5 minutes. */
  readonly waitMs?: number;
  /** Queries allowed in a burst before the rate limit applies; default 2. */
  readonly burst?: number;
  /** Time to earn one more query once the burst is spent (ms); default 250. */
  readonly refillMs?: number;
  /** First retry delay after a failure (ms); default 200. */
  readonly retryInitialMs?: number;
  /** Longest retry delay (ms); default 5000. */
  readonly retryMaxMs?: number;
}

/** Reports of a watcher. */
export interface WatcherListener {
  /** The dependency's health changed (reported once per change). */
  health(name: string, health: DependencyHealth): void;
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
  const report = (next: DependencyHealth) => {
    if (next !== health) listener.health(name, health = next);
  };
  while (!signal.aborted) {
    try {
      await sleep(bucket.take(), signal);
      const result = await client.healthService(name, { passing: true, index, waitMs, signal });
      report(result.entries.length > 0 ? "healthy" : "unhealthy");
      index = nextBlockingIndex(index, result.index);
      if (failures > 0) listener.problem(name, undefined);
      failures = 0;
      lastProblem = "";
    } catch (e) {
      if (signal.aborted) break;
      if (!(e instanceof ConsulError)) throw e;
      report("unknown");
      if (e.message !== lastProblem) listener.problem(name, e);
      lastProblem = e.message;
      index = 0;
      await sleep(jitteredBackoff(failures++, options), signal).catch(() => {});
    }
  }
}

function jitteredBackoff(failures: number, options: WatcherOptions): number {
  const base = Math.min(
    (options.retryInitialMs ?? 200) * 2 ** failures,
    options.retryMaxMs ?? 5000,
  );
  return base * (0.5 + Math.random());
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
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
