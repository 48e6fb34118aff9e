/**
 * Records when each service of a chain first has a passing instance in Consul, polled every
 * 20 ms, so that a test can check the order in which a chain of pilots came up.
 *
 * @module
 */

import { ok } from "node:assert/strict";
import { passingIds } from "./dependency.ts";

/** A running watch of the order in which services first pass; disposing of it stops it. */
export interface PassOrder extends AsyncDisposable {
  /** How many of the services have passed so far. */
  seen(): number;
  /** Asserts that every service passed, each no earlier than the one before it in the list. */
  assertInOrder(): void;
}

/** Starts watching `services` (in their expected order) in the Consul at `consul` (host:port). */
export function watchPassOrder(consul: string, services: readonly string[]): PassOrder {
  const firstSeen: Record<string, number> = {};
  // A query that fails (Consul not up yet) is no answer, never an unhandled rejection.
  const passing = async (s: string) =>
    (await passingIds(consul, s).catch((): string[] => [])).length > 0;
  const timer = setInterval(async () => {
    for (const s of services) {
      if (firstSeen[s] === undefined && await passing(s)) firstSeen[s] = performance.now();
    }
  }, 20);
  return {
    seen: () => Object.keys(firstSeen).length,
    assertInOrder: () => {
      const times = services.map((s) => firstSeen[s] ?? NaN);
      ok(times.every((t, i) => i === 0 || times[i - 1]! <= t), JSON.stringify(firstSeen));
    },
    [Symbol.asyncDispose]: async () => {
      clearInterval(timer);
      await new Promise((r) => setTimeout(r, 50)); // a poll under way ends
    },
  };
}
