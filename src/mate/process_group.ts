/**
 * Signals to a whole process group, tolerant of a group that is already gone.
 *
 * @module
 */

/**
 * Sends `signal` to the process group led by `pid` (the mate runs in its own session).
 *
 * @returns False when no process of the group was left to signal.
 */
export function signalGroup(pid: number, signal: Deno.Signal): boolean {
  try {
    Deno.kill(-pid, signal);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || /ESRCH|No such process/i.test(String(e))) {
      return false;
    }
    throw e;
  }
}
