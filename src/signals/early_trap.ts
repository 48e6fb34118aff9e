/**
 * Signal listeners installed first thing in `main.ts`: Deno as PID 1 crashes on SIGTERM, SIGINT
 * or SIGHUP when no listener is registered, and a signal may arrive while the rest of the pilot
 * is still loading. The trap keeps what arrives until the supervisor takes over.
 *
 * @module
 */

/** Signals the pilot traps for its whole life. */
export const TRAPPED_SIGNALS: readonly Deno.Signal[] = [
  "SIGTERM",
  "SIGINT",
  "SIGHUP",
  "SIGQUIT",
  "SIGUSR1",
  "SIGUSR2",
  "SIGWINCH",
];

/** Receives trapped signals, first those that arrived before, then each as it comes. */
export type SignalHandler = (signal: Deno.Signal) => void;

/** Holds the pilot's signal listeners. */
export class SignalTrap {
  readonly #pending: Deno.Signal[] = [];
  readonly #listeners = new Map<Deno.Signal, () => void>();
  #handler: SignalHandler | undefined;

  /** Registers a listener for each signal at once. */
  constructor(signals: readonly Deno.Signal[] = TRAPPED_SIGNALS) {
    for (const signal of signals) {
      const listener = () => this.#deliver(signal);
      Deno.addSignalListener(signal, listener);
      this.#listeners.set(signal, listener);
    }
  }

  /** Signals received so far that no handler has seen. */
  get pending(): readonly Deno.Signal[] {
    return [...this.#pending];
  }

  /** Routes signals to `handler`, starting with the pending ones. */
  handOff(handler: SignalHandler): void {
    this.#handler = handler;
    for (const signal of this.#pending.splice(0)) handler(signal);
  }

  /** Removes every listener. */
  close(): void {
    for (const [signal, listener] of this.#listeners) Deno.removeSignalListener(signal, listener);
    this.#listeners.clear();
    this.#handler = undefined;
  }

  #deliver(signal: Deno.Signal): void {
    if (this.#handler) this.#handler(signal);
    else this.#pending.push(signal);
  }
}
