/**
 * The mate's registration in Consul: registration with an embedded TTL check, heartbeats that
 * update the check, deregistration. Every call has a deadline and none waits behind a hung one:
 * a registration or a deregistration abandons the call in flight; at most one heartbeat is in
 * flight, and a newer heartbeat replaces one still waiting for it.
 *
 * @module
 */

import { type CallOptions, type ConsulClient, serviceCheckId } from "./client.ts";
import type { ServiceRegistration } from "./client.ts";
import { ConsulError } from "./errors.ts";

/** Consul keeps this much check output by default. */
const OUTPUT_MAX = 4000;

/** Deadline of a registration (ms). */
export const REGISTER_TIMEOUT_MS = 3_000;

/** Deadline of a deregistration (ms): it runs while the mate stops or the pilot exits. */
export const DEREGISTER_TIMEOUT_MS = 1_000;

/**
 * How a call ended: Consul answered 2xx; it failed (with Consul's status when it answered, and
 * why); or it was abandoned for a newer call and means nothing any more.
 */
export type CallOutcome =
  | { readonly result: "ok" }
  | { readonly result: "failed"; readonly status: number | undefined; readonly reason: string }
  | { readonly result: "superseded" };

/** Options of {@linkcode Registration}. */
export interface RegistrationOptions {
  /** The instance: id, name, address, port, tags, meta, TTL check. */
  readonly service: ServiceRegistration;
  /** Deadline of a registration (ms); default {@linkcode REGISTER_TIMEOUT_MS}. */
  readonly registerTimeoutMs?: number;
  /** Deadline of a deregistration (ms); default {@linkcode DEREGISTER_TIMEOUT_MS}. */
  readonly deregisterTimeoutMs?: number;
}

interface Call {
  readonly controller: AbortController;
  readonly done: Promise<void>;
}

interface QueuedHeartbeat {
  readonly status: "passing" | "critical";
  readonly output: string;
  readonly timeoutMs: number;
  readonly resolve: (outcome: CallOutcome | Promise<CallOutcome>) => void;
}

const SUPERSEDED: CallOutcome = { result: "superseded" };

/** Registers, heart-beats and deregisters one instance. */
export class Registration {
  readonly #client: ConsulClient;
  readonly #options: RegistrationOptions;
  #current: Call | undefined;
  #queued: QueuedHeartbeat | undefined;

  /** Creates it; nothing is sent yet. */
  constructor(client: ConsulClient, options: RegistrationOptions) {
    this.#client = client;
    this.#options = options;
  }

  /** The TTL check's id. */
  get checkId(): string {
    return serviceCheckId(this.#options.service.id);
  }

  /**
   * Registers the instance with its check in `status` (as `service` says, when given, e.g. the
   * waiting listing); abandons any call still in flight.
   */
  register(
    status: "passing" | "critical" = "passing",
    service: ServiceRegistration = this.#options.service,
  ): Promise<CallOutcome> {
    this.abandon();
    const body = { ...service, check: service.check && { ...service.check, status } };
    const timeoutMs = this.#options.registerTimeoutMs ?? REGISTER_TIMEOUT_MS;
    return this.#start((o) => this.#client.registerService(body, o), timeoutMs);
  }

  /**
   * Updates the check within `timeoutMs`. While another call is in flight, the heartbeat waits
   * for it, and is superseded by a newer heartbeat asked meanwhile. A 404 (`failed`, status 404)
   * means the agent does not know the check (it restarted): register again.
   */
  heartbeat(
    status: "passing" | "critical",
    output: string,
    timeoutMs: number,
  ): Promise<CallOutcome> {
    if (!this.#current) return this.#startHeartbeat(status, output, timeoutMs);
    this.#queued?.resolve(SUPERSEDED);
    return new Promise((resolve) => (this.#queued = { status, output, timeoutMs, resolve }));
  }

  /** Deregisters the instance; abandons any call still in flight. */
  deregister(): Promise<CallOutcome> {
    this.abandon();
    const id = this.#options.service.id;
    const timeoutMs = this.#options.deregisterTimeoutMs ?? DEREGISTER_TIMEOUT_MS;
    return this.#start((o) => this.#client.deregisterService(id, o), timeoutMs);
  }

  /** Abandons the call in flight and the heartbeat waiting, if any. */
  abandon(): void {
    this.#current?.controller.abort(new Error("superseded"));
    this.#current = undefined;
    this.#queued?.resolve(SUPERSEDED);
    this.#queued = undefined;
  }

  /** Waits until no call is in flight or waiting (each has a deadline). */
  async settled(): Promise<void> {
    while (this.#current) await this.#current.done;
  }

  #startHeartbeat(
    status: "passing" | "critical",
    output: string,
    timeoutMs: number,
  ): Promise<CallOutcome> {
    const text = output.slice(-OUTPUT_MAX);
    return this.#start(
      (o) => this.#client.updateTtlCheck(this.checkId, status, text, o),
      timeoutMs,
    );
  }

  #start(send: (options: CallOptions) => Promise<void>, timeoutMs: number): Promise<CallOutcome> {
    const controller = new AbortController();
    const outcome = send({ timeoutMs, signal: controller.signal }).then(
      (): CallOutcome => ({ result: "ok" }),
      (e: unknown): CallOutcome => {
        if (controller.signal.aborted) return SUPERSEDED;
        if (e instanceof ConsulError) return failure(e);
        throw e;
      },
    );
    const call: Call = { controller, done: outcome.then(() => {}, () => {}) };
    this.#current = call;
    call.done.then(() => {
      if (this.#current !== call) return;
      this.#current = undefined;
      const next = this.#queued;
      this.#queued = undefined;
      if (next) next.resolve(this.#startHeartbeat(next.status, next.output, next.timeoutMs));
    });
    return outcome;
  }
}

/** The failure without the call's name: Consul's own message, or the transport problem. */
function failure(e: ConsulError): CallOutcome {
  const prefix = `Consul call ${e.call} failed: `;
  let reason = e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
  if (e.status !== undefined) reason = reason.replace(/^HTTP \d+:? ?/, "");
  return { result: "failed", status: e.status, reason };
}
