/**
 * Which signals stop the pilot, which are forwarded, and exit codes of signal deaths.
 *
 * @module
 */

/** Signals that make the pilot stop the mate and exit. */
export const STOP_SIGNALS: readonly string[] = ["SIGTERM", "SIGINT"];

/** Signals passed on to the mate's process group. */
export const FORWARDED_SIGNALS: readonly string[] = [
  "SIGHUP",
  "SIGUSR1",
  "SIGUSR2",
  "SIGQUIT",
  "SIGWINCH",
];

const SIGNAL_NUMBERS: Readonly<Record<string, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGSEGV: 11,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
  SIGCHLD: 17,
  SIGCONT: 18,
  SIGSTOP: 19,
  SIGTSTP: 20,
  SIGTTIN: 21,
  SIGTTOU: 22,
  SIGWINCH: 28,
  SIGSYS: 31,
};

/**
 * The exit code for a mate killed by `signal`: 128 + its number (Linux numbering). When the
 * name is unknown, the code the runtime reported is kept.
 */
export function exitCodeOfSignal(signal: string, reportedCode: number): number {
  const n = SIGNAL_NUMBERS[signal];
  return n === undefined ? reportedCode : 128 + n;
}
