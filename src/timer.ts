/**
 * Timers for the pilot's own code, in place of `setTimeout` and `setInterval`.
 *
 * Deno 2.9 builds `setTimeout` and `setInterval` on its Node compatibility timers: the first call
 * loads that layer, which an idle pilot then holds (1–2 MB of resident memory, measured side by
 * side, docs/performance.md) and which costs ~3 ms of CPU at its first use.
 * `AbortSignal.timeout` runs on the runtime's own timer. Its timer keeps the process alive only
 * while the signal has an abort listener, so removing the listener cancels as far as the event
 * loop is concerned: a cancelled timer neither runs nor holds a process up (tests/timer_test.ts
 * pins both). Its platform timer stays, unreferenced, until the delay passes (about 600 bytes):
 * code that would cancel many timers a second re-arms one instead (src/logs/kafka/connection.ts).
 *
 * @module
 */

/** The longest delay (about 24.8 days): a longer one waits this long (`setTimeout` fires it). */
const LONGEST_DELAY_MS = 2 ** 31 - 1;

let pending = 0;

/** A callback scheduled by {@linkcode after} or {@linkcode every}. */
export interface Timer {
  /** Stops the callback from running (again); harmless once it has run or was cancelled. */
  cancel(): void;
}

/**
 * Runs `callback` once, `delayMs` milliseconds from now, unless cancelled first. A delay that is
 * negative or not a number is 0; one over {@linkcode LONGEST_DELAY_MS} is that.
 */
export function after(delayMs: number, callback: () => void): Timer {
  // The signal never leaves this function: a listener added elsewhere (an AbortSignal.any()
  // built on it, say) would change when Deno lets the process exit.
  const signal = AbortSignal.timeout(clampDelay(delayMs));
  let done = false;
  const settle = () => {
    if (done) return false;
    done = true;
    pending--;
    return true;
  };
  const listener = () => {
    if (settle()) callback();
  };
  pending++;
  signal.addEventListener("abort", listener, { once: true });
  return {
    cancel: () => {
      if (settle()) signal.removeEventListener("abort", listener);
    },
  };
}

/**
 * Runs `callback` every `periodMs` milliseconds (each period counted from the last run; at least
 * 1 ms, as `setInterval`).
 */
export function every(periodMs: number, callback: () => void): Timer {
  const period = Math.max(1, periodMs);
  let next: Timer;
  const tick = () => {
    next = after(period, tick);
    callback();
  };
  next = after(period, tick);
  // `next` is the following tick before the callback runs: a callback may cancel its own timer.
  return { cancel: () => next.cancel() };
}

/** Resolves after `delayMs` milliseconds (clamped as by {@linkcode after}). */
export function sleep(delayMs: number): Promise<void> {
  return new Promise((resolve) => {
    after(delayMs, resolve);
  });
}

/**
 * Waits for `promise`, but no longer than `delayMs` milliseconds (a rejection is passed on); the
 * timer is cancelled when the promise wins, so it holds nothing up. No promise: nothing to wait.
 */
export async function within(
  delayMs: number,
  promise: Promise<unknown> | undefined,
): Promise<void> {
  if (!promise) return;
  let timer: Timer | undefined;
  const elapsed = new Promise<void>((resolve) => (timer = after(delayMs, resolve)));
  try {
    await Promise.race([promise, elapsed]);
  } finally {
    timer?.cancel();
  }
}

/**
 * How many timers are pending: scheduled, neither run nor cancelled (an {@linkcode every} counts
 * one). For tests: Deno's op sanitizer does not see these timers, so a test file checks that none
 * is left behind.
 */
export function pendingTimers(): number {
  return pending;
}

function clampDelay(delayMs: number): number {
  if (!(delayMs > 0)) return 0;
  return Math.min(Math.floor(delayMs), LONGEST_DELAY_MS);
}
