/**
 * Pilot logging with LogTape: text or JSON lines, to stderr, written synchronously so that no
 * line is lost when the pilot exits right after logging.
 *
 * @module
 */

import {
  configure,
  getLogger,
  getTextFormatter,
  jsonLinesFormatter,
  type Logger,
  type LogRecord,
  resetLogging,
  type Sink,
} from "../deps.ts";
import type { PilotLogFormat, PilotLogLevel } from "../config/types.ts";
import { writeAllSync } from "./write_sync.ts";

/** The root category of every pilot logger. */
export const ROOT_CATEGORY = "amp-pilot";

/** Options of {@linkcode setupLogging}. */
export interface LoggingOptions {
  /** Lowest level written. */
  readonly level: PilotLogLevel;
  /** Line format. */
  readonly format: PilotLogFormat;
  /** Where formatted lines go; defaults to a synchronous write to stderr. */
  readonly write?: (line: string) => void;
  /** More sinks that receive every record (the Kafka sink of the logs issue). */
  readonly extraSinks?: Readonly<Record<string, Sink>>;
}

/** Writes all of `text` to stderr synchronously. */
export function writeStderrSync(text: string): void {
  writeAllSync(Deno.stderr, text);
}

/** A LogTape sink that formats each record and hands the line to `write`. */
export function lineSink(
  format: PilotLogFormat,
  write: (line: string) => void,
): Sink {
  const formatter = format === "json" ? jsonLinesFormatter : getTextFormatter({
    timestamp: "date-time-timezone",
    category: ".",
    value: "bare",
  });
  return (record: LogRecord) => write(String(formatter(record)));
}

/**
 * Configures LogTape for the pilot. Safe to call again (the previous setup is replaced).
 *
 * @param options Level, format and destinations.
 */
export async function setupLogging(options: LoggingOptions): Promise<void> {
  const sinks: Record<string, Sink> = {
    stderr: lineSink(options.format, options.write ?? writeStderrSync),
    ...options.extraSinks,
  };
  await configure({
    reset: true,
    sinks,
    loggers: [
      { category: [ROOT_CATEGORY], lowestLevel: options.level, sinks: Object.keys(sinks) },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["stderr"] },
    ],
  });
}

/** Removes the logging setup (tests, shutdown). */
export async function teardownLogging(): Promise<void> {
  await resetLogging();
}

/**
 * The logger of one part of the pilot.
 *
 * @param part Sub-category, e.g. `"consul"`.
 */
export function pilotLogger(part?: string): Logger {
  return getLogger(part ? [ROOT_CATEGORY, part] : [ROOT_CATEGORY]);
}
