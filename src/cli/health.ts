/**
 * `amp-pilot health`: exit 0 when the pilot of this container reports its mate ready and its
 * status is fresh, 1 otherwise, with one line why. For Docker's `HEALTHCHECK`.
 *
 * @module
 */

// Kept light on purpose: a HEALTHCHECK runs this often, so it loads no configuration (no zod).
import type { Environment } from "../config/env.ts";
import { judgeStatus, type UnreadableStatus } from "../runtime/status_file.ts";
import { MAX_CONFIG_FILE_BYTES, readBoundedTextFile } from "../config/read_file.ts";
import { describeIoError } from "../config/errors.ts";
import { statusFilePath } from "./status_path.ts";

/** Reads the status file and returns the exit code, writing one line. */
export async function runHealth(
  env: Environment,
  out: (text: string) => void,
): Promise<number> {
  const { path, note } = await statusFilePath(env);
  const text = await readStatusText(path);
  const verdict = judgeStatus(text, path, Date.now());
  const why = note && text === undefined ? ` (${note})` : "";
  out(`amp-pilot health: ${verdict.line}${why}\n`);
  return verdict.healthy ? 0 : 1;
}

/** The status file's text, `undefined` when there is none, or why it cannot be read. */
export async function readStatusText(path: string): Promise<string | undefined | UnreadableStatus> {
  try {
    // Bounded, and never opens a FIFO: a HEALTHCHECK must not hang on a strange file.
    return await readBoundedTextFile(path, MAX_CONFIG_FILE_BYTES);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    return { unreadable: describeIoError(e) };
  }
}
