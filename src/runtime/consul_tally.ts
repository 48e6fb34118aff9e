/**
 * What the pilot's Consul calls came to: a count by call and outcome (for telemetry) and the last
 * error (for the status). Each call is counted when its answer, or its failure, arrives.
 *
 * @module
 */

import type { ConsulError } from "../consul/errors.ts";
import type { CallOutcome } from "../consul/registration.ts";

/** The outcome label of a Consul call: ok, error (Consul refused it), unreachable (no answer). */
export type ConsulOutcome = "ok" | "error" | "unreachable";

/** One count of the tally. */
export interface ConsulCount {
  /** The call: register, heartbeat, deregister, watch. */
  readonly call: string;
  /** How it ended. */
  readonly outcome: ConsulOutcome;
  /** How many times. */
  readonly count: number;
}

/** The counts and the last error of the pilot's Consul calls. */
export class ConsulTally {
  readonly #counts = new Map<string, ConsulCount>();
  #lastError: { message: string; at: number } | undefined;

  /** The counts, by `call|outcome`. */
  get counts(): ReadonlyMap<string, ConsulCount> {
    return this.#counts;
  }

  /** The last error and when it happened (runtime clock), if any. */
  get lastError(): { readonly message: string; readonly at: number } | undefined {
    return this.#lastError;
  }

  /** Counts a registration, heartbeat or deregistration by what Consul did with it. */
  outcome(call: string, outcome: Exclude<CallOutcome, { result: "superseded" }>): void {
    if (outcome.result === "ok") return this.count(call, "ok");
    this.count(call, outcome.status === undefined ? "unreachable" : "error");
  }

  /**
   * Counts a watch's new problem: `unreachable` only when Consul gave no answer; an answer that
   * says no (an HTTP error, the ACL filter, the connection limit, garbage) is an `error`.
   */
  watchProblem(error: ConsulError): void {
    const noAnswer = error.failure === "unreachable" || error.failure === "timeout" ||
      error.failure === "late-answer";
    this.count("watch", noAnswer ? "unreachable" : "error");
  }

  /** Counts one call. */
  count(call: string, outcome: ConsulOutcome): void {
    const key = `${call}|${outcome}`;
    const count = (this.#counts.get(key)?.count ?? 0) + 1;
    this.#counts.set(key, { call, outcome, count });
  }

  /** Keeps `message` as the last error, at `at` (runtime clock). */
  error(message: string, at: number): void {
    this.#lastError = { message, at };
  }
}
