/**
 * Writes the Kafka record of a plain mate line straight as bytes: the same JSON text as
 * `recordJson`, but the line's bytes are copied as they are, never decoded to a string and
 * encoded again, and the metadata's bytes are built once. A plain line is ASCII (DEL included)
 * without control characters, `"` or `\`, that is not a JSON object: nearly every log line. Others take
 * `recordJson`.
 *
 * @module
 */

import type { BufferedRecord } from "./bounded_buffer.ts";
import type { ByteWriter } from "./kafka/wire.ts";
import { type RecordMetadata, recordMetadataJson } from "./record.ts";

const encoder = new TextEncoder();
const TIMESTAMP = encoder.encode('{"timestamp":"');
const TIME_ID = encoder.encode('","time_id":"');
const END = encoder.encode('"}');
const ISO_LENGTH = 24; // 2026-11-25T09:01:20.123Z

/** Encodes plain mate lines of one pilot (one metadata) as record values. */
export class PlainRecordEncoder {
  /** Per stream: from the end of `time_id` to the opening quote of `message`. */
  readonly #middle: Record<"stdout" | "stderr", Uint8Array> | undefined;
  #isoMs = NaN;
  #iso = new Uint8Array(ISO_LENGTH);

  /** Prepares the bytes shared by every record of `meta`. */
  constructor(meta: RecordMetadata) {
    const metadata = recordMetadataJson(meta);
    const middle = (stream: string, isError: boolean) =>
      encoder.encode(
        `"${metadata},"stream":"${stream}","is_error":${isError},"level":null,"message":"`,
      );
    // Metadata that is not ASCII is rare: those records take the general path.
    this.#middle = /^[\x20-\x7e]*$/.test(metadata)
      ? { stdout: middle("stdout", false), stderr: middle("stderr", true) }
      : undefined;
  }

  /**
   * The length in bytes of the record's JSON value when this encoder can write it.
   *
   * @returns The length, or -1 when the record needs the general path.
   */
  valueLength(record: BufferedRecord): number {
    const line = record.line;
    if (!this.#middle || typeof line === "string" || record.stream === "pilot") return -1;
    if (record.level !== undefined || record.part !== undefined) return -1;
    let i = 0;
    while (i < line.length && line[i] === 0x20) i++;
    if (line[i] === 0x7b) return -1; // may be a JSON object, whose fields are kept
    for (; i < line.length; i++) {
      const byte = line[i]!;
      if (byte < 0x20 || byte > 0x7f || byte === 0x22 || byte === 0x5c) return -1;
    }
    return TIMESTAMP.length + ISO_LENGTH + TIME_ID.length + digitCount(micros(record)) + 3 +
      this.#middle[record.stream].length + line.length + END.length;
  }

  /** Writes the value of a record whose {@linkcode valueLength} was not -1. */
  writeValue(out: ByteWriter, record: BufferedRecord): void {
    out.raw(TIMESTAMP).raw(this.#isoBytes(record.timeMs)).raw(TIME_ID);
    const time = micros(record);
    writeDigits(out, time, digitCount(time));
    writeDigits(out, record.seq % 1000, 3);
    out.raw(this.#middle![record.stream as "stdout" | "stderr"]).raw(record.line as Uint8Array)
      .raw(END);
  }

  #isoBytes(timeMs: number): Uint8Array {
    const ms = Math.floor(timeMs);
    if (ms !== this.#isoMs) {
      this.#isoMs = ms;
      encoder.encodeInto(new Date(ms).toISOString(), this.#iso);
    }
    return this.#iso;
  }
}

/** The time in µs: `time_id` is these digits and three of the sequence number. */
function micros(record: BufferedRecord): number {
  return Math.floor(record.timeMs * 1000);
}

function digitCount(value: number): number {
  if (value >= 1e15 && value < 1e16) return 16; // every time from 2001 to 2286
  let count = 1;
  while (value >= 10 ** count) count++;
  return count;
}

/** Writes `value` (below 10^16) as exactly `count` decimal digits (zero-padded). */
function writeDigits(out: ByteWriter, value: number, count: number): void {
  out.ensure(count);
  const bytes = out.bytes;
  // Two halves below 10^8 each, so that the digits come from integer arithmetic.
  const high = Math.floor(value / 1e8);
  let low = value - high * 1e8;
  const start = out.length;
  const end = start + count;
  for (let at = end - 1; at >= start; at--) {
    if (at === end - 9) low = high;
    bytes[at] = 0x30 + (low % 10);
    low = (low / 10) | 0;
  }
  out.skip(count);
}
