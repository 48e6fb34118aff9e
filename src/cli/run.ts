/**
 * `amp-pilot run`: load the configuration, set up logging and the PID-1 reaper, supervise.
 *
 * @module
 */

import type { Environment } from "../config/env.ts";
import { ConfigError } from "../config/errors.ts";
import { loadConfig } from "../config/load.ts";
import { pilotLogger, setupLogging } from "../log/logger.ts";
import { noReaper, type Reaper, startReaper } from "../mate/reaper.ts";
import { runPilot, type SignalSource } from "../runtime/run_pilot.ts";
import { VERSION } from "../version.ts";
import { reportConfigError } from "./check.ts";

/** Inputs of {@linkcode runCommand}. */
export interface RunCommandOptions {
  /** The environment. */
  readonly env: Environment;
  /** The mate's argv from the command line. */
  readonly mateArgs: readonly string[];
  /** The signal listeners of `main.ts`. */
  readonly signals?: SignalSource;
  /** Writes to stderr (configuration errors). */
  readonly err: (text: string) => void;
}

/** Runs the pilot and returns its exit code. */
export async function runCommand(options: RunCommandOptions): Promise<number> {
  let loaded;
  try {
    loaded = await loadConfig({ env: options.env, args: options.mateArgs });
  } catch (e) {
    if (e instanceof ConfigError) return reportConfigError(e, options.err);
    throw e;
  }
  const { config } = loaded;
  // Direct mode is transparent: only problems reach stderr unless a level was asked for.
  const quiet = !config.consul && loaded.sources.logLevel?.source === "default";
  await setupLogging({ level: quiet ? "warning" : config.logLevel, format: config.logFormat });
  const log = pilotLogger();
  for (const warning of loaded.warnings) log.warn(warning);
  log.debug("amp-pilot {version} starting as pid {pid}", { version: VERSION, pid: Deno.pid });
  const reaper = Deno.pid === 1 ? reaperOrNone() : noReaper();
  try {
    return await runPilot(config, { signals: options.signals, reaper });
  } finally {
    reaper.close();
  }
}

function reaperOrNone(): Reaper {
  try {
    return startReaper();
  } catch (e) {
    pilotLogger().warn("running as PID 1 without zombie reaping: {reason}", {
      reason: (e as Error).message,
    });
    return noReaper();
  }
}
