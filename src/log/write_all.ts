/**
 * Complete writes to stdout or stderr: synchronous ones for the last words of a command (nothing
 * is lost when it exits right after writing), asynchronous ones for the running pilot (a full pipe
 * must not stop it).
 *
 * @module
 */

import { sleep } from "../timer.ts";

const encoder = new TextEncoder();

/** How long a write waits before trying again a stream that is full for now (EAGAIN). */
const RETRY_MS = 10;

/** Something bytes can be written to asynchronously, like `Deno.stdout`. */
export interface ByteSink {
  /** Writes some of `p`; returns how many bytes were written. */
  write(p: Uint8Array): Promise<number>;
}

/** How long the last words of a command wait, in all, for a stream that stays full (ms). */
const SYNC_PATIENCE_MS = 1_000;

/**
 * Writes all of `text` to `target` (e.g. `Deno.stderr`) before returning. A stream full for now
 * (EAGAIN, a non-blocking descriptor) or a write interrupted by a signal is tried again for
 * `patienceMs` in all; past it the rest is dropped, as nobody reads it. Any other error is thrown.
 */
export function writeAllSync(
  target: { writeSync(p: Uint8Array): number },
  text: string,
  patienceMs: number = SYNC_PATIENCE_MS,
): void {
  const bytes = encoder.encode(text);
  let written = 0;
  let waitedMs = 0;
  while (written < bytes.length) {
    try {
      written += target.writeSync(bytes.subarray(written));
    } catch (e) {
      if (!(e instanceof Deno.errors.WouldBlock || e instanceof Deno.errors.Interrupted)) throw e;
      if (waitedMs >= patienceMs) return;
      sleepSync(RETRY_MS);
      waitedMs += RETRY_MS;
    }
  }
}

/** Blocks the thread for `ms`: the last words are written before the command returns. */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Writes all of `bytes` to `target`. A stream that is full for now (a non-blocking descriptor
 * inherited from the parent answers EAGAIN) or a write interrupted by a signal is tried again,
 * until `signal` is aborted; any other error (the reader is gone, the descriptor closed) is thrown.
 */
export async function writeAll(
  target: ByteSink,
  bytes: Uint8Array,
  signal?: AbortSignal,
): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    try {
      written += await target.write(bytes.subarray(written));
    } catch (e) {
      if (!(e instanceof Deno.errors.WouldBlock || e instanceof Deno.errors.Interrupted)) throw e;
      if (signal?.aborted) throw e;
      await sleep(RETRY_MS);
    }
  }
}
