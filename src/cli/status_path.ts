/**
 * Where `health`, `status` and `maintenance` find the status file: the same sources as `run`
 * (the environment first, then the conffile's `StatusFile`, then the default), so that a
 * `HEALTHCHECK` reads the file the pilot writes.
 *
 * @module
 */

// Kept light on purpose: a HEALTHCHECK runs this often, so it loads no settings table (3-4 ms).
import type { Environment } from "../config/env.ts";
import { MAX_CONFIG_FILE_BYTES, readBoundedTextFile } from "../config/read_file.ts";
import { DEFAULT_STATUS_FILE, STATUS_FILE_ENV } from "../runtime/status_file.ts";

/** The conffile's variable: `CONFFILE_ENV` of the settings (a test keeps them equal). */
export const STATUS_CONFFILE_ENV = "AMPPILOT_CONFFILE";

/** The status file's path, and a note when the conffile could not be read. */
export interface StatusPath {
  /** The path. */
  readonly path: string;
  /** Why the conffile was not used, when it names none or cannot be read. */
  readonly note?: string;
}

/** Finds the status file's path as `run` does. */
export async function statusFilePath(env: Environment): Promise<StatusPath> {
  // An empty value counts as unset, as for `run`.
  const fromEnv = env[STATUS_FILE_ENV] || undefined;
  if (fromEnv !== undefined) return { path: fromEnv };
  const conffile = env[STATUS_CONFFILE_ENV] || undefined;
  if (conffile === undefined) return { path: DEFAULT_STATUS_FILE };
  let doc: unknown;
  try {
    doc = JSON.parse(
      (await readBoundedTextFile(conffile, MAX_CONFIG_FILE_BYTES)).replace(/^\uFEFF/, ""),
    );
  } catch {
    return {
      path: DEFAULT_STATUS_FILE,
      note: `${STATUS_CONFFILE_ENV} cannot be read as JSON; used the default status file`,
    };
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    return { path: DEFAULT_STATUS_FILE };
  }
  // Conffile keys match case-insensitively, as in `run`.
  const entry = Object.entries(doc).find(([key]) => key.toLowerCase() === "statusfile");
  const value = entry?.[1];
  return typeof value === "string" && value !== ""
    ? { path: value }
    : { path: DEFAULT_STATUS_FILE };
}
