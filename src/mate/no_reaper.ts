/**
 * What the shell needs of a zombie reaper, and the reaper of a pilot that is not PID 1 (nothing
 * to reap): kept apart from the FFI reaper, which only PID 1 loads.
 *
 * @module
 */

/** Reaps orphans; knows the pids the pilot spawned itself. */
export interface Reaper {
  /** Marks a pid as the pilot's own child (Deno waits for it). */
  manage(pid: number): void;
  /** Forgets a pid once Deno has its status. */
  release(pid: number): void;
  /** Reaps what can be reaped now. */
  reap(): number;
  /** How many orphans were reaped so far. */
  readonly reaped: number;
  /** Stops listening for SIGCHLD and closes the library. */
  close(): void;
}

/** A reaper that does nothing (the pilot is not PID 1). */
export function noReaper(): Reaper {
  return { manage() {}, release() {}, reap: () => 0, reaped: 0, close() {} };
}
