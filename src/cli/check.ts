/**
 * `amp-pilot check`: load, validate and print the effective configuration.
 *
 * @module
 */

import type { Environment } from "../config/env.ts";
import { CONFIG_ERROR_EXIT_CODE, ConfigError } from "../config/errors.ts";
import { loadEffectiveConfig } from "./effective_config.ts";
import { VERSION } from "../version.ts";
import { formatReport, reportJson } from "./check_report.ts";

/** Inputs of {@linkcode runCheck}. */
export interface CheckOptions {
  /** The environment. */
  readonly env: Environment;
  /** The mate's argv from the command line. */
  readonly mateArgs: readonly string[];
  /** Print JSON instead of a table. */
  readonly json: boolean;
  /** Writes to stdout. */
  readonly out: (text: string) => void;
  /** Writes to stderr. */
  readonly err: (text: string) => void;
}

/**
 * Prints the warnings that may explain the configuration problems, then every problem, one line
 * each, and returns the exit code for them.
 */
export function reportConfigError(error: ConfigError, err: (text: string) => void): number {
  for (const warning of error.warnings) err(`amp-pilot: warning: ${warning}\n`);
  for (const problem of error.problems) err(`amp-pilot: configuration error: ${problem}\n`);
  return CONFIG_ERROR_EXIT_CODE;
}

/** Runs the check and returns the exit code: 0 valid, 2 invalid. */
export async function runCheck(options: CheckOptions): Promise<number> {
  try {
    const { loaded } = await loadEffectiveConfig(options.env, options.mateArgs);
    for (const warning of loaded.warnings) options.err(`amp-pilot: warning: ${warning}\n`);
    options.out(
      options.json
        ? `${JSON.stringify(reportJson(loaded))}\n`
        : `${formatReport(loaded, VERSION)}\n`,
    );
    return 0;
  } catch (e) {
    if (e instanceof ConfigError) return reportConfigError(e, options.err);
    throw e;
  }
}
