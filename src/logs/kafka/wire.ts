/**
 * Kafka's primitive wire types: big-endian integers, zigzag varints, length-prefixed strings and
 * byte arrays. A growable writer that reuses its memory and a bounds-checked reader whose errors
 * name what could not be read.
 *
 * @module
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** Up to this many bytes, a loop copies faster than `Uint8Array.prototype.set`. */
const SMALL_COPY = 64;

/** Appends Kafka primitives to one growable buffer. */
export class ByteWriter {
  #bytes: Uint8Array;
  #view: DataView;
  #length = 0;

  /** Creates a writer with `capacity` bytes before it first grows. */
  constructor(capacity = 64 * 1024) {
    this.#bytes = new Uint8Array(capacity);
    this.#view = new DataView(this.#bytes.buffer);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#length;
  }

  /** The bytes written so far (a view: valid until the next write or {@linkcode reset}). */
  view(): Uint8Array {
    return this.#bytes.subarray(0, this.#length);
  }

  /** Forgets what was written, keeping the memory. */
  reset(): void {
    this.#length = 0;
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.#length + n <= this.#bytes.length) return;
    let capacity = this.#bytes.length * 2;
    while (capacity < this.#length + n) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = grown;
    this.#view = new DataView(grown.buffer);
  }

  /** Writes an int8. */
  int8(value: number): this {
    this.ensure(1);
    this.#view.setInt8(this.#length, value);
    this.#length += 1;
    return this;
  }

  /** Writes a big-endian int16. */
  int16(value: number): this {
    this.ensure(2);
    this.#view.setInt16(this.#length, value);
    this.#length += 2;
    return this;
  }

  /** Writes a big-endian int32. */
  int32(value: number): this {
    this.ensure(4);
    this.#view.setInt32(this.#length, value);
    this.#length += 4;
    return this;
  }

  /** Writes a big-endian int64 from a safe integer or a bigint. */
  int64(value: number | bigint): this {
    this.ensure(8);
    this.#view.setBigInt64(this.#length, BigInt(value));
    this.#length += 8;
    return this;
  }

  /** Overwrites a big-endian int32 at `offset` (a length or CRC known only later). */
  int32At(offset: number, value: number): void {
    this.#view.setInt32(offset, value);
  }

  /** Overwrites a big-endian int64 at `offset`. */
  int64At(offset: number, value: number | bigint): void {
    this.#view.setBigInt64(offset, BigInt(value));
  }

  /** Overwrites a big-endian uint32 at `offset`. */
  uint32At(offset: number, value: number): void {
    this.#view.setUint32(offset, value);
  }

  /** Writes a zigzag varint (a 32-bit signed integer). */
  varint(value: number): this {
    return this.#unsignedVarint(((value << 1) ^ (value >> 31)) >>> 0);
  }

  /** Writes a zigzag varlong for a safe integer (timestamps deltas, lengths). */
  varlong(value: number): this {
    if (value >= -0x40000000 && value < 0x40000000) return this.varint(value);
    let zigzag = BigInt(value) >= 0n ? BigInt(value) * 2n : -BigInt(value) * 2n - 1n;
    this.ensure(10);
    while (zigzag >= 0x80n) {
      this.#bytes[this.#length++] = Number(zigzag & 0x7fn) | 0x80;
      zigzag >>= 7n;
    }
    this.#bytes[this.#length++] = Number(zigzag);
    return this;
  }

  #unsignedVarint(value: number): this {
    this.ensure(5);
    while (value >= 0x80) {
      this.#bytes[this.#length++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    this.#bytes[this.#length++] = value;
    return this;
  }

  /** Writes raw bytes. */
  raw(bytes: Uint8Array): this {
    const length = bytes.length;
    this.ensure(length);
    if (length <= SMALL_COPY) {
      const target = this.#bytes;
      for (let i = 0, at = this.#length; i < length; i++, at++) target[at] = bytes[i]!;
    } else {
      this.#bytes.set(bytes, this.#length);
    }
    this.#length += length;
    return this;
  }

  /** The underlying memory: bytes written in place after {@linkcode ensure} are kept by {@linkcode skip}. */
  get bytes(): Uint8Array {
    return this.#bytes;
  }

  /** Moves the end past `n` bytes written in place. */
  skip(n: number): void {
    this.#length += n;
  }

  /** Writes an int16-length string, or -1 for null. */
  string(value: string | null): this {
    if (value === null) return this.int16(-1);
    const bytes = encoder.encode(value);
    return this.int16(bytes.length).raw(bytes);
  }

  /**
   * Writes `text` as UTF-8 at the current position, reserving the worst case first.
   *
   * @returns The number of bytes written.
   */
  utf8(text: string): number {
    this.ensure(text.length * 3);
    const { written } = encoder.encodeInto(text, this.#bytes.subarray(this.#length));
    this.#length += written;
    return written;
  }
}

/** Number of bytes of `value` as a zigzag varint. */
export function sizeOfVarint(value: number): number {
  let zigzag = ((value << 1) ^ (value >> 31)) >>> 0;
  let size = 1;
  while (zigzag >= 0x80) {
    zigzag >>>= 7;
    size++;
  }
  return size;
}

/** A response that ended early or held a value that cannot be. */
export class KafkaDecodeError extends Error {
  override name = "KafkaDecodeError";
}

/** Reads Kafka primitives from a response, checking bounds. */
export class ByteReader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  #offset = 0;

  /** Reads `bytes` from the start. */
  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Bytes left. */
  get remaining(): number {
    return this.#bytes.length - this.#offset;
  }

  #need(n: number, what: string): number {
    if (this.#offset + n > this.#bytes.length) {
      throw new KafkaDecodeError(
        `the response ended early: ${what} needs ${n} bytes at offset ${this.#offset}, ` +
          `${this.remaining} left`,
      );
    }
    const at = this.#offset;
    this.#offset += n;
    return at;
  }

  /** Reads an int8. */
  int8(what = "an int8"): number {
    return this.#view.getInt8(this.#need(1, what));
  }

  /** Reads a big-endian int16. */
  int16(what = "an int16"): number {
    return this.#view.getInt16(this.#need(2, what));
  }

  /** Reads a big-endian int32. */
  int32(what = "an int32"): number {
    return this.#view.getInt32(this.#need(4, what));
  }

  /** Reads a big-endian int64. */
  int64(what = "an int64"): bigint {
    return this.#view.getBigInt64(this.#need(8, what));
  }

  /** Reads an int16-length string, or null for -1. */
  string(what = "a string"): string | null {
    const length = this.int16(what);
    if (length < 0) return null;
    const at = this.#need(length, what);
    return decoder.decode(this.#bytes.subarray(at, at + length));
  }

  /** Reads int32-length bytes (a copy), or an empty array for null (-1). */
  bytes(what = "bytes"): Uint8Array {
    const length = this.int32(what);
    if (length < 0) return new Uint8Array(0);
    const at = this.#need(length, what);
    return this.#bytes.slice(at, at + length);
  }

  /** Reads an int32-count array with `item`, or `[]` for a null (-1) array. */
  array<T>(item: (reader: ByteReader) => T, what = "an array"): T[] {
    const count = this.int32(what);
    if (count > this.remaining) {
      throw new KafkaDecodeError(`${what} claims ${count} entries in ${this.remaining} bytes`);
    }
    const items: T[] = [];
    for (let i = 0; i < count; i++) items.push(item(this));
    return items;
  }
}
