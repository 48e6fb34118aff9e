/**
 * Restart backoff: 1 s doubling to 30 s, reset once the mate has run 60 s.
 *
 * @module
 */

/** First restart delay (ms). */
export const BACKOFF_INITIAL_MS = 1_000;
/** Longest restart delay (ms). */
export const BACKOFF_MAX_MS = 30_000;
/** A run at least this long resets the backoff (ms). */
export const BACKOFF_RESET_AFTER_MS = 60_000;

/** The delay before restart number `attempt` (0-based). */
export function restartDelayMs(attempt: number): number {
  return Math.min(BACKOFF_INITIAL_MS * 2 ** Math.max(0, attempt), BACKOFF_MAX_MS);
}

/**
 * The delay before the next start after a run ended, and the new count of short runs.
 *
 * @param shortRuns Consecutive runs shorter than {@linkcode BACKOFF_RESET_AFTER_MS} so far.
 * @param ranMs How long the run that just ended lasted.
 */
export function restartBackoff(
  shortRuns: number,
  ranMs: number,
): { delayMs: number; shortRuns: number } {
  const attempt = ranMs >= BACKOFF_RESET_AFTER_MS ? 0 : shortRuns;
  return { delayMs: restartDelayMs(attempt), shortRuns: attempt + 1 };
}
