/**
 * Builds one uncompressed Kafka record batch (magic 2) in place: records are appended one by one
 * straight into the request being built, and the lengths, counts and CRC are filled in at the end.
 *
 * @module
 */

import { crc32c } from "./crc32c.ts";
import type { ProducerIdentity } from "./protocol.ts";
import { ByteWriter, sizeOfVarint } from "./wire.ts";

/** Offset of the attributes field from the batch's start: where the CRC begins. */
const CRC_START = 8 + 4 + 4 + 1 + 4;

/** Writes record values of a known length into a batch. */
export interface ValueEncoder<T> {
  /** Writes exactly the announced number of bytes of `item`'s value. */
  writeValue(out: ByteWriter, item: T): void;
}

/** The idempotence fields of a batch: who produces it, and its first record's sequence number. */
export interface BatchSequence {
  /** The producer's identity. */
  readonly identity: ProducerIdentity;
  /** Sequence number of the batch's first record (the next ones follow it). */
  readonly baseSequence: number;
}

/** Appends a record batch with one key for all its records to a {@linkcode ByteWriter}. */
export class RecordBatchBuilder {
  readonly #out: ByteWriter;
  readonly #key: Uint8Array;
  readonly #scratch = new ByteWriter(4 * 1024);
  readonly #start: number;
  readonly #baseTimestamp: number;
  #maxTimestamp: number;
  #count = 0;

  /**
   * Starts a batch at the end of `out`.
   *
   * @param out Where the batch is written.
   * @param key Every record's key.
   * @param baseTimestamp The first record's time (ms).
   * @param sequence For an idempotent producer: its identity and the batch's base sequence.
   */
  constructor(
    out: ByteWriter,
    key: Uint8Array,
    baseTimestamp: number,
    sequence?: BatchSequence,
  ) {
    this.#out = out;
    this.#key = key;
    this.#start = out.length;
    this.#baseTimestamp = this.#maxTimestamp = Math.floor(baseTimestamp);
    out
      .int64(0) // base offset: the broker assigns offsets
      .int32(0) // batch length, filled in by finish()
      .int32(-1) // partition leader epoch: unknown to producers
      .int8(2) // magic
      .int32(0) // CRC, filled in by finish()
      .int16(0) // attributes: no compression, create time, not transactional
      .int32(0) // last offset delta, filled in by finish()
      .int64(this.#baseTimestamp)
      .int64(0) // max timestamp, filled in by finish()
      .int64(sequence?.identity.producerId ?? -1) // -1: not idempotent
      .int16(sequence?.identity.epoch ?? -1)
      .int32(sequence?.baseSequence ?? -1)
      .int32(0); // record count, filled in by finish()
  }

  /** Records added so far. */
  get count(): number {
    return this.#count;
  }

  /** Bytes of the batch so far. */
  get size(): number {
    return this.#out.length - this.#start;
  }

  /**
   * Appends a record whose value is `value` in UTF-8, stamped `timestamp` (ms), unless the batch
   * already holds a record and would grow beyond `maxBytes`.
   *
   * @returns Whether the record was added.
   */
  add(timestamp: number, value: string, maxBytes = Infinity): boolean {
    const scratch = this.#scratch;
    scratch.reset();
    const valueLength = scratch.utf8(value);
    if (!this.#beginRecord(timestamp, valueLength, maxBytes)) return false;
    this.#out.raw(scratch.view()).varint(0); // no headers
    return true;
  }

  /**
   * Appends a record whose value, `valueLength` bytes, `encoder` writes straight into the batch;
   * see {@linkcode add}.
   *
   * @returns Whether the record was added.
   */
  addEncoded<T>(
    timestamp: number,
    valueLength: number,
    encoder: ValueEncoder<T>,
    item: T,
    maxBytes = Infinity,
  ): boolean {
    if (!this.#beginRecord(timestamp, valueLength, maxBytes)) return false;
    encoder.writeValue(this.#out, item);
    this.#out.varint(0); // no headers
    return true;
  }

  /** Writes a record's fields up to its value's length, unless the batch would grow too large. */
  #beginRecord(timestamp: number, valueLength: number, maxBytes: number): boolean {
    const time = Math.floor(timestamp);
    const timestampDelta = time - this.#baseTimestamp;
    const offsetDelta = this.#count;
    const keyLength = this.#key.length;
    const bodySize = 1 + sizeOfVarlong(timestampDelta) + sizeOfVarint(offsetDelta) +
      sizeOfVarint(keyLength) + keyLength + sizeOfVarint(valueLength) + valueLength + 1;
    if (this.#count > 0 && this.size + sizeOfVarint(bodySize) + bodySize > maxBytes) return false;
    if (time > this.#maxTimestamp) this.#maxTimestamp = time;
    this.#count++;
    this.#out
      .varint(bodySize)
      .int8(0) // attributes
      .varlong(timestampDelta)
      .varint(offsetDelta)
      .varint(keyLength)
      .raw(this.#key)
      .varint(valueLength);
    return true;
  }

  /** Fills in the batch's length, counts, max timestamp and CRC. */
  finish(): void {
    const out = this.#out;
    const start = this.#start;
    out.int32At(start + 8, out.length - start - 12);
    out.int32At(start + CRC_START + 2, this.#count - 1);
    out.int64At(start + CRC_START + 2 + 4 + 8, this.#maxTimestamp);
    out.int32At(start + CRC_START + 2 + 4 + 8 + 8 + 8 + 2 + 4, this.#count);
    out.uint32At(start + 8 + 4 + 4 + 1, crc32c(out.view().subarray(start + CRC_START)));
  }
}

function sizeOfVarlong(value: number): number {
  if (value >= -0x40000000 && value < 0x40000000) return sizeOfVarint(value);
  let zigzag = value >= 0 ? BigInt(value) * 2n : -BigInt(value) * 2n - 1n;
  let size = 1;
  while (zigzag >= 0x80n) {
    zigzag >>= 7n;
    size++;
  }
  return size;
}
