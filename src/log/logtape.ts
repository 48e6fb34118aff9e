/**
 * LogTape's functions, pinned here and imported by `logger.ts` only when the pilot first writes a
 * record: loading LogTape costs about 25 ms of startup, which a quiet direct-mode run never needs.
 *
 * @module
 */

export {
  configure,
  getLogger,
  getTextFormatter,
  reset as resetLogging,
} from "npm:@logtape/logtape@^2.4.2";
