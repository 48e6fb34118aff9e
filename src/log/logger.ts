/**
 * Pilot logging: text or JSON lines to stderr, queued and written without waiting (a stderr nobody
 * reads must not stop the pilot; {@linkcode flushLogging} before exit), and every record to the
 * extra sinks (the Kafka shipper).
 * Message templates (`"{name} is up"`) and the text line are LogTape's, which the pilot used
 * until issue #14 measured its cost (docs/performance.md).
 *
 * @module
 */

import type { PilotLogFormat, PilotLogLevel } from "../config/types.ts";
import { lineQueue } from "./line_queue.ts";
import { jsonLine } from "./json_line.ts";
import { parseMessageTemplate } from "./message_template.ts";
import type { LogRecord, Sink } from "./record.ts";
import { textLine } from "./text_line.ts";

export type { LogRecord, Sink } from "./record.ts";

/** The root category of every pilot logger. */
export const ROOT_CATEGORY = "amp-pilot";

/** Options of {@linkcode setupLogging}. */
export interface LoggingOptions {
  /** Lowest level written. */
  readonly level: PilotLogLevel;
  /** Line format. */
  readonly format: PilotLogFormat;
  /** Where formatted lines go; defaults to stderr, through a bounded queue. */
  readonly write?: (line: string) => void;
  /** More sinks that receive every record (the Kafka sink of the logs issue). */
  readonly extraSinks?: Readonly<Record<string, Sink>>;
}

/** A pilot logger: message templates (`"{name} is up"`) with their properties. */
export interface PilotLogger {
  /** Logs at trace level. */
  trace(message: string, properties?: Record<string, unknown>): void;
  /** Logs at debug level. */
  debug(message: string, properties?: Record<string, unknown>): void;
  /** Logs at info level. */
  info(message: string, properties?: Record<string, unknown>): void;
  /** Logs at warning level. */
  warn(message: string, properties?: Record<string, unknown>): void;
  /** Logs at warning level. */
  warning(message: string, properties?: Record<string, unknown>): void;
  /** Logs at error level. */
  error(message: string, properties?: Record<string, unknown>): void;
  /** Logs at fatal level. */
  fatal(message: string, properties?: Record<string, unknown>): void;
}

const LEVELS: readonly PilotLogLevel[] = ["trace", "debug", "info", "warning", "error", "fatal"];

interface Setup {
  readonly lowest: number;
  readonly sinks: readonly Sink[];
}

/** The current setup; records are dropped before the first one. */
let current: Setup | undefined;

/** The pilot's lines on their way to stderr. */
const stderrLines = lineQueue(Deno.stderr);

/**
 * Configures logging for the pilot. Safe to call again (the previous setup is replaced).
 *
 * @param setup Level, format and destinations.
 */
export function setupLogging(setup: LoggingOptions): Promise<void> {
  const format = setup.format === "json" ? jsonLine : textLine;
  const write = setup.write ?? stderrLines.write;
  current = {
    lowest: LEVELS.indexOf(setup.level),
    sinks: [(record) => write(format(record)), ...Object.values(setup.extraSinks ?? {})],
  };
  return Promise.resolve();
}

/**
 * Waits until every line logged so far is written to stderr, but no longer than `timeoutMs`: a
 * stderr nobody reads must not hold the exit up.
 */
export function flushLogging(timeoutMs: number): Promise<void> {
  return stderrLines.flush(timeoutMs);
}

/** How long {@linkcode teardownLogging} waits for the lines still on their way to stderr. */
const TEARDOWN_FLUSH_MS = 1_000;

/** Removes the logging setup (tests, shutdown), once the lines logged are written (or 1 s). */
export async function teardownLogging(): Promise<void> {
  current = undefined;
  await stderrLines.flush(TEARDOWN_FLUSH_MS);
}

function emit(
  category: readonly string[],
  level: PilotLogLevel,
  template: string,
  properties: Record<string, unknown> | undefined,
): void {
  const setup = current;
  if (!setup || LEVELS.indexOf(level) < setup.lowest) return;
  const props = { ...properties };
  const record: LogRecord = {
    category,
    level,
    message: parseMessageTemplate(template, props),
    rawMessage: template,
    properties: props,
    timestamp: Date.now(),
  };
  for (const sink of setup.sinks) {
    try {
      sink(record);
    } catch (e) {
      // A failing sink must not stop the others, nor the pilot.
      const reason = e instanceof Error ? e.message : String(e);
      stderrLines.write(`amp-pilot: a log record could not be written: ${reason}\n`);
    }
  }
}

/**
 * The logger of one part of the pilot.
 *
 * @param part Sub-category, e.g. `"consul"`.
 */
export function pilotLogger(part?: string): PilotLogger {
  const category = part ? [ROOT_CATEGORY, part] : [ROOT_CATEGORY];
  const at = (level: PilotLogLevel) => (message: string, properties?: Record<string, unknown>) =>
    emit(category, level, message, properties);
  return {
    trace: at("trace"),
    debug: at("debug"),
    info: at("info"),
    warn: at("warning"),
    warning: at("warning"),
    error: at("error"),
    fatal: at("fatal"),
  };
}
