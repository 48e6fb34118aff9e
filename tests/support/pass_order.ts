/**
 * Records in which round of polling each service of a chain first has a passing instance in
 * Consul, so that a test can check the order in which a chain of pilots came up.
 *
 * One round asks about the services one after the other, the last of the chain first, and the
 * next round starts 20 ms after it ends. A service passes only after the one before it in the
 * chain, and stays passing: so when a round sees one pass, it sees the ones before it pass too.
 * Rounds never overlap, and the order does not rest on when answers arrive, which a loaded
 * machine can bunch together (issue #14's CI run: three answers within a millisecond).
 *
 * @module
 */

import { ok } from "node:assert/strict";
import { passingIds } from "./dependency.ts";

/** A running watch of the order in which services first pass; disposing of it stops it. */
export interface PassOrder extends AsyncDisposable {
  /** How many of the services have passed so far. */
  seen(): number;
  /** Asserts that every service passed, each in a round no earlier than the one before it. */
  assertInOrder(): void;
}

/** Starts watching `services` (in their expected order) in the Consul at `consul` (host:port). */
export function watchPassOrder(consul: string, services: readonly string[]): PassOrder {
  const firstRound: Record<string, number> = {};
  // A query that fails (Consul not up yet) is no answer, never an unhandled rejection.
  const passing = async (s: string) =>
    (await passingIds(consul, s).catch((): string[] => [])).length > 0;
  let stopped = false;
  const loop = (async () => {
    for (let round = 0; !stopped; round++) {
      for (const s of [...services].reverse()) {
        if (firstRound[s] === undefined && await passing(s)) firstRound[s] = round;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    seen: () => Object.keys(firstRound).length,
    assertInOrder: () => {
      const rounds = services.map((s) => firstRound[s] ?? NaN);
      ok(rounds.every((r, i) => i === 0 || rounds[i - 1]! <= r), JSON.stringify(firstRound));
    },
    [Symbol.asyncDispose]: async () => {
      stopped = true;
      await loop;
    },
  };
}
