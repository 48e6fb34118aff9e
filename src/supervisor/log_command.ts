/**
 * The `log` command the core issues.
 *
 * @module
 */

import type { SupervisorCommand } from "./types.ts";

/** A log line for the shell to write. */
export function log(
  level: "debug" | "info" | "warning" | "error",
  message: string,
): SupervisorCommand {
  return { type: "log", level, message };
}
