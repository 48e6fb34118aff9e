/**
 * The project's third-party dependencies, pinned in one place.
 *
 * Specifiers are fully qualified (`npm:…`) so that `deno run <URL>/main.ts` works: a remote
 * entrypoint ignores the `imports` of `deno.json`.
 *
 * @module
 */

export { z } from "npm:zod@^4.6.7";
export type { ZodType } from "npm:zod@^4.6.7";
export {
  configure,
  getLogger,
  getTextFormatter,
  jsonLinesFormatter,
  type Logger,
  type LogLevel,
  type LogRecord,
  reset as resetLogging,
  type Sink,
} from "npm:@logtape/logtape@^2.4.2";
