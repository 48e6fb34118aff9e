/**
 * Timers for the pilot's own code, in place of `setTimeout` and `setInterval`.
 *
 * Deno 2.9 builds `setTimeout` and `setInterval` on its Node compatibility timers: the first call
 * loads that layer, which an idle pilot then holds as ~2–3 MB of resident memory and which costs
 * ~3 ms of CPU at start (measured side by side, docs/performance.md). `AbortSignal.timeout` runs
 * on the runtime's own timer. Its timer keeps the process alive only while the signal has an
 * abort listener, so removing the listener cancels as far as the event loop is concerned: a
 * cancelled timer neither runs nor holds a process up (tests/timer_test.ts pins both).
 *
 * @module
 */

/** The longest delay a timer accepts (about 24.8 days), as `setTimeout` in browsers and Node. */
const LONGEST_DELAY_MS = 2 ** 31 - 1;

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
  const signal = AbortSignal.timeout(clampDelay(delayMs));
  const listener = () => callback();
  signal.addEventListener("abort", listener, { once: true });
  return { cancel: () => signal.removeEventListener("abort", listener) };
}

/** Runs `callback` every `periodMs` milliseconds (each period counted from the last run). */
export function every(periodMs: number, callback: () => void): Timer {
  let next: Timer;
  const tick = () => {
    next = after(periodMs, tick);
    callback();
  };
  next = after(periodMs, tick);
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
 * timer is cancelled when the promise wins, so it holds nothing up.
 */
export async function within(delayMs: number, promise: Promise<unknown>): Promise<void> {
  let timer: Timer | undefined;
  const elapsed = new Promise<void>((resolve) => (timer = after(delayMs, resolve)));
  try {
    await Promise.race([promise, elapsed]);
  } finally {
    timer?.cancel();
  }
}

function clampDelay(delayMs: number): number {
  if (!(delayMs > 0)) return 0;
  return Math.min(Math.floor(delayMs), LONGEST_DELAY_MS);
}
