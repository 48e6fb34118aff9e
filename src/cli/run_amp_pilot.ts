/**
 * `amp-pilot run` as a function, for a program that embeds the pilot: the same configuration
 * sources, logging, Kafka shipping, registered IP, PID-1 reaper and signal handling, returning the
 * exit code instead of exiting.
 *
 * @module
 */

import type { Environment } from "../config/env.ts";
import type { SignalSource } from "../runtime/run_pilot.ts";
import { SignalTrap } from "../signals/early_trap.ts";
import { writeAllSync } from "../log/write_all.ts";
import { permissionProblem } from "./permissions.ts";
import { USAGE_EXIT_CODE } from "./cli.ts";

/** Options of {@linkcode runAmpPilot}; every one has the default of `amp-pilot run`. */
export interface AmpPilotOptions {
  /** The environment the configuration is read from (default: the process's). */
  readonly env?: Environment;
  /** The mate's argv; replaces `AMPPILOT_LAUNCH_CMD` as the arguments of `amp-pilot run` do. */
  readonly args?: readonly string[];
  /**
   * Where SIGTERM and the other trapped signals come from (default: listeners installed for the
   * run and removed after it).
   */
  readonly signals?: SignalSource;
  /** Writes the configuration errors, one line each (default: the process's stderr). */
  readonly err?: (text: string) => void;
}

/**
 * Runs the pilot exactly as `amp-pilot run` does and returns its exit code: the mate's, 128 + n
 * for a signal, 2 for a configuration error or missing Deno permissions, 126/127 for a command
 * that cannot be started.
 */
export async function runAmpPilot(options: AmpPilotOptions = {}): Promise<number> {
  const err = options.err ?? ((text: string) => writeAllSync(Deno.stderr, text));
  const denied = permissionProblem();
  if (denied) {
    err(`${denied}\n`);
    return USAGE_EXIT_CODE;
  }
  const trap = options.signals ? undefined : new SignalTrap();
  try {
    // Not a literal specifier: Deno would read the module and its imports at start (issue #14).
    const { runCommand } = await (import(String("./run.ts")) as Promise<typeof import("./run.ts")>);
    const code = await runCommand({
      env: options.env ?? Deno.env.toObject(),
      mateArgs: options.args ?? [],
      signals: options.signals ?? trap,
      err,
    });
    return code;
  } finally {
    trap?.close();
  }
}
