/**
 * Writes the Kafka record of a plain mate line straight as bytes: the same JSON text as
 * `recordJson`, but the line's bytes are copied as they are, never decoded to a string and
 * encoded again, and the metadata's bytes are built once. A plain line is ASCII (DEL included)
 * without control characters, `"` or `\`, that is not a JSON object: nearly every log line.
 * Others take `recordJson`.
 *
 * @module
 */

import type { BufferedRecord } from "./bounded_buffer.ts";
import { ByteWriter } from "./kafka/wire.ts";
import { type RecordMetadata, recordMetadataJson } from "./record.ts";

const encoder = new TextEncoder();
const TIMESTAMP = encoder.encode('{"timestamp":"');
const TIME_ID = encoder.encode('","time_id":"');
const END = encoder.encode('"}');
const ISO_LENGTH = 24; // 2026-11-25T09:01:20.123Z
/** The last three digits of `time_id` (the sequence number modulo 1000): "000" to "999". */
const SEQUENCE_DIGITS = encoder.encode(
  Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, "0")).join(""),
);

/** Encodes plain mate lines of one pilot (one metadata) as record values. */
export class PlainRecordEncoder {
  /** Per stream: from the end of `time_id` to the opening quote of `message`. */
  readonly #middle: Record<"stdout" | "stderr", Uint8Array> | undefined;
  #isoMs = NaN;
  #iso = new Uint8Array(ISO_LENGTH);
  #digitsMs = NaN;
  #digits: Uint8Array = new Uint8Array(0);

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
    if (!this.#isPlain(line)) return -1;
    return TIMESTAMP.length + ISO_LENGTH + TIME_ID.length + this.#timeDigits(record.timeMs).length +
      3 + this.#middle[record.stream].length + line.length + END.length;
  }

  /** Writes the value of a record whose {@linkcode valueLength} was not -1. */
  writeValue(out: ByteWriter, record: BufferedRecord): void {
    out.raw(TIMESTAMP).raw(this.#isoBytes(record.timeMs)).raw(TIME_ID)
      .raw(this.#timeDigits(record.timeMs));
    writeSequenceDigits(out, record.seq % 1000);
    out.raw(this.#middle![record.stream as "stdout" | "stderr"]).raw(record.line as Uint8Array)
      .raw(END);
  }

  /**
   * Whether a line is plain: ASCII from space to DEL, without `"` or `\`, and not starting
   * (after spaces) with `{`. Four bytes at a time where the line is aligned: nearly all of it.
   */
  #isPlain(line: Uint8Array): boolean {
    const length = line.length;
    let i = 0;
    while (i < length && line[i] === 0x20) i++;
    if (line[i] === 0x7b) return false; // may be a JSON object, whose fields are kept
    for (; i < length && ((line.byteOffset + i) & 3) !== 0; i++) {
      if (!isPlainByte(line[i]!)) return false;
    }
    const words = (length - i) >>> 2;
    if (words > 0) {
      const view = new Int32Array(line.buffer, line.byteOffset + i, words);
      for (let w = 0; w < words; w++) {
        if (hasSpecialByte(view[w]!)) return false;
      }
      i += words * 4;
    }
    for (; i < length; i++) {
      if (!isPlainByte(line[i]!)) return false;
    }
    return true;
  }

  #isoBytes(timeMs: number): Uint8Array {
    const ms = Math.floor(timeMs);
    if (ms !== this.#isoMs) {
      this.#isoMs = ms;
      encoder.encodeInto(new Date(ms).toISOString(), this.#iso);
    }
    return this.#iso;
  }

  /** The µs digits of `time_id`: the lines of one chunk share their time, so they are kept. */
  #timeDigits(timeMs: number): Uint8Array {
    if (timeMs !== this.#digitsMs) {
      this.#digitsMs = timeMs;
      const time = Math.floor(timeMs * 1000); // < 2^53 until the year 2255
      const count = digitCount(time);
      const digits = new ByteWriter(count);
      writeDigits(digits, time, count);
      this.#digits = digits.view();
    }
    return this.#digits;
  }
}

function isPlainByte(byte: number): boolean {
  return byte >= 0x20 && byte <= 0x7f && byte !== 0x22 && byte !== 0x5c;
}

/**
 * Whether one of the four bytes of `word` is not plain: its high bit set, below 0x20, `"` or `\`
 * (the "has less" and "has zero byte" bit tricks, exact for whole words).
 */
function hasSpecialByte(word: number): boolean {
  const quote = word ^ 0x22222222;
  const backslash = word ^ 0x5c5c5c5c;
  return ((word | ((word - 0x20202020) & ~word) | ((quote - 0x01010101) & ~quote) |
    ((backslash - 0x01010101) & ~backslash)) & 0x80808080) !== 0;
}

function digitCount(value: number): number {
  if (value >= 1e15 && value < 1e16) return 16; // every time from 2001 to 2286
  let count = 1;
  while (value >= 10 ** count) count++;
  return count;
}

/** Writes `n` (below 1000) as three digits, from a table: once per record. */
function writeSequenceDigits(out: ByteWriter, n: number): void {
  out.ensure(3);
  const bytes = out.bytes;
  const at = out.length;
  bytes[at] = SEQUENCE_DIGITS[n * 3]!;
  bytes[at + 1] = SEQUENCE_DIGITS[n * 3 + 1]!;
  bytes[at + 2] = SEQUENCE_DIGITS[n * 3 + 2]!;
  out.skip(3);
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
