/**
 * `amp-pilot health`: exit 0 when the pilot of this container reports its mate ready and its
 * status is fresh, 1 otherwise, with one line why. For Docker's `HEALTHCHECK`.
 *
 * @module
 */

// Kept light on purpose: a HEALTHCHECK runs this often, so it loads no configuration (no zod).
import type { Environment } from "../config/env.ts";
import { DEFAULT_STATUS_FILE, judgeStatus, STATUS_FILE_ENV } from "../runtime/status_file.ts";

/** Reads the status file and returns the exit code, writing one line. */
export async function runHealth(
  env: Environment,
  out: (text: string) => void,
): Promise<number> {
  const path = env[STATUS_FILE_ENV] || DEFAULT_STATUS_FILE;
  let text: string | undefined;
  try {
    text = await Deno.readTextFile(path);
  } catch {
    text = undefined;
  }
  const verdict = judgeStatus(text, path, Date.now());
  out(`amp-pilot health: ${verdict.line}\n`);
  return verdict.healthy ? 0 : 1;
}
