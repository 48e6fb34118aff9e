/**
 * The in-memory buffer of log records waiting for Kafka: bounded by a count and a byte size,
 * dropping the oldest records (and counting them) when full, keeping order, and removing
 * records only once Kafka has acknowledged them (at-least-once).
 *
 * Records already sent and not yet answered ("pinned") may be dropped too when the buffer is
 * full, but they are not counted: Kafka may have them, and only its answer tells (the shipper
 * counts those that never reached it, see {@linkcode BoundedBuffer.countDropped}).
 *
 * It is a set of fixed rings — typed arrays for the fields, one byte ring for the lines — so
 * that the mate's hot path allocates nothing per line and memory stays within the limits.
 *
 * @module
 */

/** Where a record comes from. */
export type RecordStream = "stdout" | "stderr" | "pilot";

/** One buffered record, as handed out by {@linkcode BoundedBuffer.peek}. */
export interface BufferedRecord {
  /** Sequence number, increasing by one per record pushed. */
  readonly seq: number;
  /** `stdout`, `stderr` or `pilot`. */
  readonly stream: RecordStream;
  /** Wall-clock time in ms. */
  readonly timeMs: number;
  /** The line's bytes (or text, for records built elsewhere). */
  readonly line: Uint8Array | string;
  /** Pilot records: the level. */
  readonly level?: string;
  /** For a line cut into parts: its 1-based part number. */
  readonly part?: number;
  /** For a line cut into parts: true on the part that ends it. */
  readonly lastPart?: boolean;
}

/** What {@linkcode BoundedBuffer.push} takes besides the stream and line. */
export interface PushOptions {
  /** Pilot records: the level. */
  readonly level?: string;
  /** For a line cut into parts: its 1-based part number. */
  readonly part?: number;
  /** For a line cut into parts: true on the part that ends it. */
  readonly lastPart?: boolean;
}

const STREAMS: readonly RecordStream[] = ["stdout", "stderr", "pilot"];
const LEVELS: readonly (string | undefined)[] = [
  undefined,
  "trace",
  "debug",
  "info",
  "warning",
  "error",
  "fatal",
];
const encoder = new TextEncoder();
const INITIAL_RING_BYTES = 64 * 1024;
/**
 * Lines up to this length are copied byte by byte (no view allocated); longer ones with `set`,
 * which paired runs found cheaper already for lines of 100 bytes.
 */
const SMALL_COPY = 16;

/** A FIFO of records with count and byte limits. */
export class BoundedBuffer {
  readonly #capacity: number;
  readonly #maxBytes: number;
  readonly #stream: Uint8Array;
  readonly #level: Uint8Array;
  readonly #time: Float64Array;
  readonly #offset: Float64Array;
  readonly #length: Uint32Array;
  readonly #part: Int32Array;
  #bytes: Uint8Array; // grows (doubling) up to maxBytes, so that memory follows what is held
  #head = 0; // sequence number of the oldest record
  #tail = 0; // sequence number of the next record
  #byteHead = 0; // absolute offset of the oldest record's bytes
  #byteTail = 0;
  #dropped = 0;
  #droppedReported = 0;
  #pinnedUntil = 0; // records below this sequence number were sent, not yet answered

  /**
   * @param maxRecords Most records held.
   * @param maxBytes Most line bytes held.
   */
  constructor(maxRecords: number, maxBytes: number) {
    this.#capacity = maxRecords;
    this.#maxBytes = maxBytes;
    this.#stream = new Uint8Array(maxRecords);
    this.#level = new Uint8Array(maxRecords);
    this.#time = new Float64Array(maxRecords);
    this.#offset = new Float64Array(maxRecords);
    this.#length = new Uint32Array(maxRecords);
    this.#part = new Int32Array(maxRecords);
    this.#bytes = new Uint8Array(Math.min(maxBytes, INITIAL_RING_BYTES));
  }

  /** Records held. */
  get length(): number {
    return this.#tail - this.#head;
  }

  /** Line bytes held. */
  get bytes(): number {
    return this.#byteTail - this.#byteHead;
  }

  /** Records dropped and not yet reported. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Records dropped since the start, reported or not (for telemetry). */
  get droppedTotal(): number {
    return this.#droppedReported + this.#dropped;
  }

  /**
   * Marks the records below `seq` as sent and not yet answered: dropping them from the full
   * buffer does not count them (see {@linkcode countDropped}).
   */
  pinUntil(seq: number): void {
    this.#pinnedUntil = seq;
  }

  /** Counts `count` more dropped records: pinned ones that turned out never to reach Kafka. */
  countDropped(count: number): void {
    this.#dropped += count;
  }

  /** Adds a line (text or bytes) at the end; see {@linkcode pushRange}. */
  push(
    stream: RecordStream,
    line: Uint8Array | string,
    timeMs: number,
    options: PushOptions = {},
  ): void {
    const bytes = typeof line === "string" ? encoder.encode(line) : line;
    const part = options.part === undefined ? 0 : options.lastPart ? -options.part : options.part;
    const level = options.level === undefined ? 0 : Math.max(0, LEVELS.indexOf(options.level));
    this.pushRange(stream, bytes, 0, bytes.length, timeMs, part, level);
  }

  /**
   * Adds `source[start, end)` at the end, dropping the oldest records while a limit would be
   * exceeded; a line larger than the whole byte limit is dropped itself. The mate's hot path:
   * nothing is allocated.
   *
   * @param part 0 for a whole line, n for part n of a line, -n for its last part n.
   * @param level Index of the level (0: none).
   */
  pushRange(
    stream: RecordStream,
    source: Uint8Array,
    start: number,
    end: number,
    timeMs: number,
    part = 0,
    level = 0,
  ): void {
    const size = end - start;
    if (size > this.#maxBytes) {
      this.#dropped++;
      return;
    }
    while (this.length >= this.#capacity || this.bytes + size > this.#maxBytes) {
      if (this.#head >= this.#pinnedUntil) this.#dropped++;
      this.#dropHead();
    }
    const slot = this.#tail % this.#capacity;
    this.#stream[slot] = stream === "stdout" ? 0 : stream === "stderr" ? 1 : 2;
    this.#level[slot] = level;
    this.#time[slot] = timeMs;
    this.#offset[slot] = this.#byteTail;
    this.#length[slot] = size;
    this.#part[slot] = part;
    this.#writeBytes(source, start, end);
    this.#tail++;
  }

  /** The oldest records, at most `count` of them, left in place. */
  peek(count: number): BufferedRecord[] {
    const out: BufferedRecord[] = [];
    for (let seq = this.#head; seq < this.#tail && out.length < count; seq++) {
      out.push(this.#record(seq));
    }
    return out;
  }

  /** Sequence number of the oldest record held (the next one pushed when empty). */
  get headSeq(): number {
    return this.#head;
  }

  /**
   * Calls `visit` on the records from `fromSeq` on (or from the oldest held, when that one was
   * dropped), in order, until it returns false or `maxCount` were visited. A record's `line`
   * may be a view of the buffer's memory: valid only during the call.
   *
   * @returns The number of records visited and accepted.
   */
  visit(fromSeq: number, maxCount: number, visit: (record: BufferedRecord) => boolean): number {
    let accepted = 0;
    for (let seq = Math.max(fromSeq, this.#head); seq < this.#tail && accepted < maxCount; seq++) {
      if (!visit(this.#record(seq, true))) break;
      accepted++;
    }
    return accepted;
  }

  /** Removes every record up to and including `seq` (acknowledged by Kafka). */
  acknowledge(seq: number): void {
    while (this.length > 0 && this.#head <= seq) this.#dropHead();
  }

  /** Forgets `count` dropped records once a record saying so reached Kafka. */
  acknowledgeDropped(count: number): void {
    this.#droppedReported += Math.min(count, this.#dropped);
    this.#dropped = Math.max(0, this.#dropped - count);
  }

  #record(seq: number, view = false): BufferedRecord {
    const slot = seq % this.#capacity;
    const part = this.#part[slot]!;
    const stream = STREAMS[this.#stream[slot]!]!;
    const timeMs = this.#time[slot]!;
    const line = this.#readBytes(this.#offset[slot]!, this.#length[slot]!, view);
    const level = LEVELS[this.#level[slot]!];
    // Two literal shapes rather than a spread: this runs once per record sent.
    return part === 0
      ? { seq, stream, timeMs, line, level }
      : { seq, stream, timeMs, line, level, part: Math.abs(part), lastPart: part < 0 };
  }

  #dropHead(): void {
    const slot = this.#head % this.#capacity;
    this.#byteHead = this.#offset[slot]! + this.#length[slot]!;
    this.#head++;
    if (this.#head === this.#tail) this.#byteHead = this.#byteTail;
  }

  #writeBytes(source: Uint8Array, from: number, to: number): void {
    const size = to - from;
    if (size === 0) return;
    if (this.bytes + size > this.#bytes.length) this.#grow(this.bytes + size);
    const ring = this.#bytes;
    const at = this.#byteTail % ring.length;
    if (size <= SMALL_COPY && at + size <= ring.length) {
      for (let i = 0; i < size; i++) ring[at + i] = source[from + i]!; // no view allocated
    } else {
      const first = Math.min(size, ring.length - at);
      ring.set(source.subarray(from, from + first), at);
      if (first < size) ring.set(source.subarray(from + first, to), 0);
    }
    this.#byteTail += size;
  }

  /** Doubles the byte ring (up to the limit) and lays the held bytes out again. */
  #grow(needed: number): void {
    let length = this.#bytes.length;
    while (length < needed) length *= 2;
    const old = this.#bytes;
    const ring = new Uint8Array(Math.min(length, this.#maxBytes));
    // Offsets are absolute: each held byte goes to its offset modulo the new length, copied once
    // in the pieces that are contiguous in both rings.
    for (let offset = this.#byteHead, left = this.bytes; left > 0;) {
      const from = offset % old.length;
      const to = offset % ring.length;
      const size = Math.min(left, old.length - from, ring.length - to);
      ring.set(old.subarray(from, from + size), to);
      offset += size;
      left -= size;
    }
    this.#bytes = ring;
  }

  #readBytes(offset: number, size: number, view = false): Uint8Array {
    const ring = this.#bytes;
    const at = offset % ring.length;
    if (at + size <= ring.length) {
      return view ? ring.subarray(at, at + size) : ring.slice(at, at + size);
    }
    const out = new Uint8Array(size);
    const first = ring.length - at;
    out.set(ring.subarray(at, ring.length), 0);
    out.set(ring.subarray(0, size - first), first);
    return out;
  }
}
