/**
 * Pilot logging with LogTape: text or JSON lines, to stderr, written synchronously so that no
 * line is lost when the pilot exits right after logging.
 *
 * LogTape itself can be loaded lazily: with `lazy`, records that pass the level wait in order
 * until it is loaded (on the first one), and {@linkcode flushLogging} — awaited before the pilot
 * exits — writes them. A quiet run that logs nothing never loads it.
 *
 * @module
 */

import type { LogRecord, Sink } from "../deps.ts";
import type { PilotLogFormat, PilotLogLevel } from "../config/types.ts";
import { writeAllSync } from "./write_sync.ts";
import { jsonLine } from "./json_line.ts";

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
  /** Load LogTape only when a record is first written (see {@linkcode flushLogging}). */
  readonly lazy?: boolean;
}

/** A pilot logger: LogTape's message templates (`"{name} is up"`) with their properties. */
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

type LogTape = typeof import("./logtape.ts");

interface Pending {
  readonly category: readonly string[];
  readonly level: PilotLogLevel;
  readonly message: string;
  readonly properties: Record<string, unknown> | undefined;
}

const LEVELS: readonly PilotLogLevel[] = ["trace", "debug", "info", "warning", "error", "fatal"];

/** The current setup; records are dropped before the first one, as LogTape drops them. */
let options: LoggingOptions | undefined;
/** Whether LogTape is loaded and configured for the current setup. */
let ready = false;
let logtape: LogTape | undefined;
let loading: Promise<void> | undefined;
/** Records that passed the level before LogTape was ready, in order. */
const pending: Pending[] = [];

/** Whether writing to stderr failed: it is gone (closed, or a pipe nobody reads), for good. */
let stderrGone = false;

/**
 * Writes all of `text` to stderr synchronously. When stderr is gone, the text is dropped:
 * logging never stops the pilot (records still reach Kafka).
 */
export function writeStderrSync(text: string): void {
  if (stderrGone) return;
  try {
    writeAllSync(Deno.stderr, text);
  } catch {
    stderrGone = true;
  }
}

function lineSink(lib: LogTape, format: PilotLogFormat, write: (line: string) => void): Sink {
  // JSON lines have the shape of the Kafka records (json_line.ts), not LogTape's own.
  const formatter = format === "json" ? jsonLine : lib.getTextFormatter({
    timestamp: "date-time-timezone",
    category: ".",
    value: "bare",
  });
  return (record: LogRecord) => write(String(formatter(record)));
}

/**
 * Configures logging for the pilot. Safe to call again (the previous setup is replaced).
 *
 * @param setup Level, format, destinations, and whether LogTape may be loaded lazily.
 */
export async function setupLogging(setup: LoggingOptions): Promise<void> {
  await loading;
  options = setup;
  ready = false;
  loading = undefined;
  if (!setup.lazy) await load();
}

/** Loads and configures LogTape once per setup, then writes the records waiting for it. */
function load(): Promise<void> {
  loading ??= (async () => {
    try {
      const lib = logtape ??= await import("./logtape.ts");
      const setup = options!;
      const sinks: Record<string, Sink> = {
        stderr: lineSink(lib, setup.format, setup.write ?? writeStderrSync),
        ...setup.extraSinks,
      };
      await lib.configure({
        reset: true,
        sinks,
        loggers: [
          { category: [ROOT_CATEGORY], lowestLevel: setup.level, sinks: Object.keys(sinks) },
          { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["stderr"] },
        ],
      });
      ready = true;
      for (const record of pending.splice(0)) send(lib, record);
    } catch (e) {
      // Logging must never stop the pilot: say it once, plainly, and carry on without it.
      writeStderrSync(`amp-pilot: logging is unavailable: ${(e as Error).message}\n`);
      pending.length = 0;
    }
  })();
  return loading;
}

/** Waits until every record logged so far is written (call before the process exits). */
export async function flushLogging(): Promise<void> {
  await loading;
}

/** Removes the logging setup (tests, shutdown). */
export async function teardownLogging(): Promise<void> {
  await loading;
  options = undefined;
  ready = false;
  loading = undefined;
  pending.length = 0;
  await logtape?.resetLogging();
}

function send(lib: LogTape, record: Pending): void {
  const logger = lib.getLogger([...record.category]);
  const method = record.level === "warning" ? "warn" : record.level;
  logger[method](record.message, record.properties ?? {});
}

function emit(record: Pending): void {
  if (!options || LEVELS.indexOf(record.level) < LEVELS.indexOf(options.level)) return;
  if (ready && logtape) {
    send(logtape, record);
    return;
  }
  pending.push(record);
  void load();
}

/**
 * The logger of one part of the pilot.
 *
 * @param part Sub-category, e.g. `"consul"`.
 */
export function pilotLogger(part?: string): PilotLogger {
  const category = part ? [ROOT_CATEGORY, part] : [ROOT_CATEGORY];
  const at = (level: PilotLogLevel) => (message: string, properties?: Record<string, unknown>) =>
    emit({ category, level, message, properties });
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
