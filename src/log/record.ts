/**
 * A pilot log record and a sink that receives it, in the shape LogTape gave them (the pilot used
 * LogTape until issue #14): `message` alternates template text and the values put in its
 * placeholders.
 *
 * @module
 */

import type { PilotLogLevel } from "../config/types.ts";

/** One log record. */
export interface LogRecord {
  /** Category path, e.g. `["amp-pilot", "consul"]`. */
  readonly category: readonly string[];
  /** Level. */
  readonly level: PilotLogLevel;
  /** Template text at even indexes, placeholder values at odd ones. */
  readonly message: readonly unknown[];
  /** The template as written, e.g. `"{name} is up"`. */
  readonly rawMessage: string;
  /** The call's properties. */
  readonly properties: Record<string, unknown>;
  /** When it was logged (ms since the epoch). */
  readonly timestamp: number;
}

/** Receives every record that passes the level; a throw is reported on stderr, not raised. */
export type Sink = (record: LogRecord) => void;
