/**
 * The mate's registration in Consul: one registration with an embedded TTL check, heartbeats
 * that update the check, deregistration. Calls run one after another, in the order asked.
 *
 * @module
 */

import { type ConsulClient, serviceCheckId, type ServiceRegistration } from "./client.ts";
import { ConsulError } from "./errors.ts";

/** Consul keeps this much check output by default. */
const OUTPUT_MAX = 4000;

/** What a heartbeat found. */
export type HeartbeatOutcome = "ok" | "lost" | "failed";

/** Options of {@linkcode Registration}. */
export interface RegistrationOptions {
  /** The instance: id, name, address, port, tags, meta, TTL check. */
  readonly service: ServiceRegistration;
  /** Reports a failed call (for logging); `undefined` when calls work again. */
  readonly onProblem?: (error: ConsulError | undefined) => void;
}

/** Registers, heart-beats and deregisters one instance. */
export class Registration {
  readonly #client: ConsulClient;
  readonly #options: RegistrationOptions;
  #queue: Promise<unknown> = Promise.resolve();
  #failing = false;

  /** Creates it; nothing is sent yet. */
  constructor(client: ConsulClient, options: RegistrationOptions) {
    this.#client = client;
    this.#options = options;
  }

  /** The TTL check's id. */
  get checkId(): string {
    return serviceCheckId(this.#options.service.id);
  }

  /** Registers the instance with its check passing. */
  register(): Promise<boolean> {
    const service = this.#options.service;
    return this.#enqueue(() =>
      this.#client.registerService({
        ...service,
        check: service.check && { ...service.check, status: "passing" },
      })
    );
  }

  /**
   * Updates the check. `lost` means the agent does not know it (it restarted): register again.
   */
  heartbeat(status: "passing" | "critical", output: string): Promise<HeartbeatOutcome> {
    let lost = false;
    return this.#enqueue(async () => {
      try {
        await this.#client.updateTtlCheck(this.checkId, status, output.slice(-OUTPUT_MAX));
      } catch (e) {
        if (e instanceof ConsulError && e.isNotFound) {
          lost = true;
          return;
        }
        throw e;
      }
    }).then((ok) => lost ? "lost" : ok ? "ok" : "failed");
  }

  /** Deregisters the instance. */
  deregister(): Promise<boolean> {
    return this.#enqueue(() => this.#client.deregisterService(this.#options.service.id));
  }

  /** Waits for every call asked so far. */
  async settled(): Promise<void> {
    await this.#queue;
  }

  #enqueue(call: () => Promise<void>): Promise<boolean> {
    const run = this.#queue.then(async () => {
      try {
        await call();
        if (this.#failing) this.#options.onProblem?.(undefined);
        this.#failing = false;
        return true;
      } catch (e) {
        if (!(e instanceof ConsulError)) throw e;
        this.#failing = true;
        this.#options.onProblem?.(e);
        return false;
      }
    });
    this.#queue = run;
    return run;
  }
}
