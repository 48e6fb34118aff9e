/**
 * Synchronous, complete writes to stdout or stderr: nothing is lost when the pilot exits right
 * after writing.
 *
 * @module
 */

const encoder = new TextEncoder();

/** Writes all of `text` to `target` (e.g. `Deno.stderr`) before returning. */
export function writeAllSync(target: { writeSync(p: Uint8Array): number }, text: string): void {
  const bytes = encoder.encode(text);
  let written = 0;
  while (written < bytes.length) written += target.writeSync(bytes.subarray(written));
}
