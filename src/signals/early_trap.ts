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

/** One wait of {@linkcode SignalTrap.arrival}. */
interface ArrivalWait {
  readonly signals: readonly string[];
  readonly resolve: (signal: Deno.Signal) => void;
}

/** Holds the pilot's signal listeners. */
export class SignalTrap {
  readonly #pending: Deno.Signal[] = [];
  readonly #listeners = new Map<Deno.Signal, () => void>();
  #waits: ArrivalWait[] = [];
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

  /**
   * Resolves with the first of `signals` to arrive before the hand-off, at once when one is
   * pending; after the hand-off it never resolves. The signal stays pending for the handler.
   * Lets the pilot stop what it does before supervising (Docker discovery) on a SIGTERM.
   */
  arrival(signals: readonly string[]): Promise<Deno.Signal> {
    const arrived = this.#pending.find((signal) => signals.includes(signal));
    if (arrived) return Promise.resolve(arrived);
    if (this.#handler) return new Promise(() => {});
    return new Promise((resolve) => this.#waits.push({ signals, resolve }));
  }

  /** Routes signals to `handler`, starting with the pending ones. */
  handOff(handler: SignalHandler): void {
    this.#handler = handler;
    this.#waits = [];
    for (const signal of this.#pending.splice(0)) handler(signal);
  }

  /** Removes every listener. */
  close(): void {
    for (const [signal, listener] of this.#listeners) Deno.removeSignalListener(signal, listener);
    this.#listeners.clear();
    this.#handler = undefined;
    this.#waits = [];
  }

  #deliver(signal: Deno.Signal): void {
    if (this.#handler) return this.#handler(signal);
    this.#pending.push(signal);
    const waiting = this.#waits.filter((wait) => wait.signals.includes(signal));
    this.#waits = this.#waits.filter((wait) => !wait.signals.includes(signal));
    for (const wait of waiting) wait.resolve(signal);
  }
}
