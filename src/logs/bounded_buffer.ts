/**
 * The in-memory buffer of log records waiting for Kafka: bounded by a count and a byte size,
 * dropping the oldest records (and counting them) when full, keeping order, and removing
 * records only once Kafka has acknowledged them (at-least-once).
 *
 * @module
 */

/** One buffered log line or pilot record, not yet serialised. */
export interface BufferedRecord {
  /** Sequence number, increasing by one per record pushed. */
  readonly seq: number;
  /** `stdout`, `stderr` or `pilot`. */
  readonly stream: "stdout" | "stderr" | "pilot";
  /** Wall-clock time in ms. */
  readonly timeMs: number;
  /** The line as bytes (mate output) or text (pilot records). */
  readonly line: Uint8Array | string;
  /** Pilot records: the level. */
  readonly level?: string;
  /** Bytes this record counts for against the byte limit. */
  readonly size: number;
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

/** A FIFO of records with count and byte limits. */
export class BoundedBuffer {
  readonly #maxRecords: number;
  readonly #maxBytes: number;
  #items: (BufferedRecord | undefined)[] = [];
  #head = 0;
  #bytes = 0;
  #nextSeq = 0;
  #dropped = 0;

  /** Creates an empty buffer. */
  constructor(maxRecords: number, maxBytes: number) {
    this.#maxRecords = maxRecords;
    this.#maxBytes = maxBytes;
  }

  /** Records held. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Records dropped since the last {@linkcode takeDropped}. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Adds a record at the end, dropping the oldest ones while a limit is exceeded. */
  push(
    stream: BufferedRecord["stream"],
    line: Uint8Array | string,
    timeMs: number,
    options: PushOptions = {},
  ): void {
    const size = (typeof line === "string" ? line.length * 2 : line.byteLength) + 64;
    const record: BufferedRecord = { seq: this.#nextSeq++, stream, timeMs, line, size, ...options };
    this.#items.push(record);
    this.#bytes += size;
    while (this.length > this.#maxRecords || (this.#bytes > this.#maxBytes && this.length > 1)) {
      this.#dropHead();
      this.#dropped++;
    }
  }

  /** The oldest records, at most `count` of them and about `maxBytes`, left in place. */
  peek(count: number, maxBytes = Infinity): BufferedRecord[] {
    const out: BufferedRecord[] = [];
    let bytes = 0;
    for (let i = this.#head; i < this.#items.length && out.length < count; i++) {
      const record = this.#items[i]!;
      if (out.length > 0 && bytes + record.size > maxBytes) break;
      out.push(record);
      bytes += record.size;
    }
    return out;
  }

  /** Removes every record up to and including `seq` (acknowledged by Kafka). */
  acknowledge(seq: number): void {
    while (this.length > 0 && this.#items[this.#head]!.seq <= seq) this.#dropHead();
  }

  /** Forgets `count` dropped records once a record saying so reached Kafka. */
  acknowledgeDropped(count: number): void {
    this.#dropped = Math.max(0, this.#dropped - count);
  }

  #dropHead(): void {
    const record = this.#items[this.#head]!;
    this.#items[this.#head] = undefined;
    this.#head++;
    this.#bytes -= record.size;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }
}
