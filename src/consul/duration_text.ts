/**
 * Durations as a person reads them in a log line: "300 ms", "2.5 s", "5 min 24 s".
 *
 * @module
 */

/** Formats `ms` for a log line: below 1 s in ms, below 1 min in s (one decimal below 10 s). */
export function formatDuration(ms: number): string {
  const rounded = Math.round(ms);
  if (rounded < 1000) return `${rounded} ms`;
  if (rounded < 10_000) return `${Math.round(rounded / 100) / 10} s`;
  const seconds = Math.round(rounded / 1000);
  if (seconds < 60) return `${seconds} s`;
  const rest = seconds % 60;
  return `${Math.floor(seconds / 60)} min${rest > 0 ? ` ${rest} s` : ""}`;
}
