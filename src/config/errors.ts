/**
 * The error raised when the configuration cannot be used, and how a file that cannot be read is
 * described in it.
 *
 * @module
 */

import { FileRefusedError } from "./read_file.ts";

/** Exit code of the pilot on a configuration error. */
export const CONFIG_ERROR_EXIT_CODE = 2;

/** Every problem found in the configuration, one line each. */
export class ConfigError extends Error {
  /** One line per problem, naming the variable or conffile key, the value and what is expected. */
  readonly problems: readonly string[];
  /** Warnings that may explain the problems (a misspelt variable), one line each. */
  readonly warnings: readonly string[];

  /** Creates the error from its problems (at least one) and the warnings found with them. */
  constructor(problems: readonly string[], warnings: readonly string[] = []) {
    super(
      problems.length === 1
        ? `Invalid configuration: ${problems[0]}`
        : `Invalid configuration (${problems.length} problems):\n${problems.join("\n")}`,
    );
    this.name = "ConfigError";
    this.problems = problems;
    this.warnings = warnings;
  }
}

/**
 * Why a part of amp-pilot loaded on demand (`part`, e.g. "its ZooKeeper client") could not be
 * imported: with the release's bundle, a file beside `amp-pilot.js` is missing (scripts/bundle.ts).
 */
export function partNotLoaded(part: string, e: unknown): string {
  const reason = (e instanceof Error ? e.message : String(e)).split("\n")[0];
  return `amp-pilot cannot load ${part} (${reason}); expected it to load: the release's ` +
    "amp-pilot.js needs the files beside it in the same folder";
}

/** Why a file named by the configuration could not be read, in a few words. */
export function describeIoError(e: unknown): string {
  if (e instanceof FileRefusedError) return e.message;
  if (e instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (e instanceof Deno.errors.IsADirectory) return "it is a directory";
  if (e instanceof Deno.errors.NotFound) return "the file does not exist";
  // Deno's messages end with the path ("…(os error 2): stat '/x'"); the caller names the path.
  const message = e instanceof Error ? e.message : String(e);
  return message.replace(/(\(os error \d+\)).*$/s, "$1").split("\n")[0]!;
}
