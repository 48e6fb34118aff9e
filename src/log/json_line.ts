/**
 * The pilot's JSON log line, in the shape of its Kafka records (SPEC §5): `timestamp` (ISO-8601),
 * `level` in LogTape's words (`debug`, `info`, `warning`, `error`…), `message`, plus `logger` and
 * the record's `properties`. Values in the message are shown as they read, never as quoted JSON,
 * and an error is its message, never its stack.
 *
 * @module
 */

import type { LogRecord } from "./record.ts";

/** One JSON line (with its newline) for `record`. */
export function jsonLine(record: LogRecord): string {
  const properties = Object.fromEntries(
    Object.entries(record.properties).map(([key, value]) => [key, plainValue(value)]),
  );
  return `${
    JSON.stringify({
      timestamp: new Date(record.timestamp).toISOString(),
      level: record.level,
      message: renderMessage(record.message),
      logger: record.category.join("."),
      ...(Object.keys(properties).length > 0 ? { properties } : {}),
    })
  }\n`;
}

/** A message template's parts joined, each value as a person reads it. */
export function renderMessage(parts: readonly unknown[]): string {
  return parts.map((part, i) => i % 2 === 0 ? String(part) : showValue(part)).join("");
}

/** A value inside a message: text as is, an error by its message, anything else as JSON. */
export function showValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof Error) return value.message;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** A property as JSON can hold it: an error becomes its message (no stack in the logs). */
function plainValue(value: unknown): unknown {
  return value instanceof Error ? value.message : value;
}
