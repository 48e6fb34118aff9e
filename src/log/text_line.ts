/**
 * The pilot's text log line, byte for byte what LogTape 2.4's `getTextFormatter({ timestamp:
 * "date-time-timezone", category: ".", value: "bare" })` wrote (pinned by
 * `tests/fixtures/log/lines.json`):
 *
 * ```
 * 2026-12-02 03:04:05.006 +00:00 [INF] amp-pilot.consul: db is up
 * ```
 *
 * Text values are written bare with control characters escaped (`\n`, `\x1b`…), so that a value
 * cannot forge a line or colour a terminal; other values as `Deno.inspect` shows them.
 *
 * @module
 */

import type { PilotLogLevel } from "../config/types.ts";
import type { LogRecord } from "./record.ts";

const LEVEL_ABBREVIATIONS: Readonly<Record<PilotLogLevel, string>> = {
  trace: "TRC",
  debug: "DBG",
  info: "INF",
  warning: "WRN",
  error: "ERR",
  fatal: "FTL",
};

/** One text line (with its newline) for `record`. */
export function textLine(record: LogRecord): string {
  const category = record.category.map((part) => escapeControls(part, true, false)).join(".");
  return `${timestamp(record.timestamp)} [${LEVEL_ABBREVIATIONS[record.level]}] ${category}: ${
    renderMessage(record.message)
  }\n`;
}

function renderMessage(parts: readonly unknown[]): string {
  let message = "";
  for (let i = 0; i < parts.length; i++) {
    message += i % 2 === 0 ? escapeControls(String(parts[i]), false, false) : renderValue(parts[i]);
  }
  return message;
}

function renderValue(value: unknown): string {
  if (typeof value === "string") return escapeControls(value, true, true);
  return Deno.inspect(value, { strAbbreviateSize: Infinity, iterableLimit: Infinity });
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

/** `2026-12-02 03:04:05.006 +00:00` (UTC). */
function timestamp(ms: number): string {
  const d = new Date(ms);
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
  const time = `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${
    pad(d.getUTCSeconds(), 2)
  }.${pad(d.getUTCMilliseconds(), 3)}`;
  return `${date} ${time} +00:00`;
}

/** Whether `code` is a control character to escape (tab never is). */
function isControl(code: number, escapeNewlines: boolean): boolean {
  if (code === 9) return false;
  if (code === 10 || code === 13) return escapeNewlines;
  return code < 32 || code === 127 || (code >= 128 && code <= 159);
}

function escapeChar(code: number): string {
  if (code === 10) return "\\n";
  if (code === 13) return "\\r";
  return `\\x${code.toString(16).padStart(2, "0")}`;
}

// An SGR sequence (colour, bold…), kept in template text; a reset is added if it leaves one open.
// deno-lint-ignore no-control-regex
const SGR = /^\x1b\[([0-9;:]*)m/;

/**
 * Escapes control characters. Template text keeps SGR sequences (`escapeSgr` false) and newlines;
 * values escape both.
 */
function escapeControls(text: string, escapeSgr: boolean, escapeNewlines: boolean): string {
  let needed = false;
  for (let i = 0; i < text.length && !needed; i++) {
    const code = text.charCodeAt(i);
    needed = code === 27 || isControl(code, escapeNewlines);
  }
  if (!needed) return text;
  let result = "";
  let sgrOpen = false;
  for (let i = 0; i < text.length;) {
    const code = text.charCodeAt(i);
    const sgr = code === 27 && !escapeSgr ? SGR.exec(text.slice(i)) : null;
    if (sgr) {
      result += sgr[0];
      sgrOpen = !/^0*$/.test(sgr[1]!.replace(/[;:]/g, ""));
      i += sgr[0].length;
    } else {
      result += code === 27 || isControl(code, escapeNewlines) ? escapeChar(code) : text[i];
      i++;
    }
  }
  return sgrOpen ? `${result}\x1b[0m` : result;
}
