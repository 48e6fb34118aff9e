/**
 * Process checks for tests.
 *
 * @module
 */

/** True while a process with this pid exists (a zombie counts). */
export function processExists(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}
