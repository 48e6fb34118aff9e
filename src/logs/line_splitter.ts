/**
 * Splits a byte stream into lines for Kafka records (passthrough does not use it: it copies
 * bytes as they come). A line longer than the limit is cut into parts; a final line without a
 * newline is delivered on flush. Lines inside one chunk are handed out as ranges of it, without
 * copying.
 *
 * @module
 */

const NEWLINE = 10;

/** Receives a line as `source[start, end)`; `part` counts from 0; `last` ends the line. */
export type LineHandler = (
  source: Uint8Array,
  start: number,
  end: number,
  part: number,
  last: boolean,
) => void;

/** Accumulates chunks and hands out each complete line, without its newline. */
export class LineSplitter {
  readonly #onLine: LineHandler;
  readonly #maxLine: number;
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #part = 0;

  /**
   * @param onLine Receives each line, or each part of a long line.
   * @param maxLine Longest part handed out, in bytes.
   */
  constructor(onLine: LineHandler, maxLine: number) {
    this.#onLine = onLine;
    this.#maxLine = maxLine;
  }

  /** Feeds a chunk; the handler must not keep references to it. */
  push(chunk: Uint8Array): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(NEWLINE, start);
      if (nl < 0) break;
      this.#emit(chunk, start, nl);
      start = nl + 1;
    }
    if (start < chunk.length) this.#keep(chunk.slice(start));
  }

  /** Delivers a final line that had no newline. */
  flush(): void {
    if (this.#pendingBytes > 0 || this.#part > 0) this.#emit(new Uint8Array(0), 0, 0);
  }

  #keep(rest: Uint8Array): void {
    this.#pending.push(rest);
    this.#pendingBytes += rest.length;
    while (this.#pendingBytes >= this.#maxLine) {
      const all = this.#joinPending();
      this.#onLine(all, 0, this.#maxLine, this.#part++, false);
      const tail = all.slice(this.#maxLine);
      this.#pending = tail.length > 0 ? [tail] : [];
      this.#pendingBytes = tail.length;
    }
  }

  #emit(chunk: Uint8Array, start: number, end: number): void {
    let source = chunk;
    let from = start;
    let to = end;
    if (this.#pendingBytes > 0) {
      this.#pending.push(chunk.subarray(start, end));
      this.#pendingBytes += end - start;
      source = this.#joinPending();
      from = 0;
      to = source.length;
      this.#pending = [];
      this.#pendingBytes = 0;
    }
    while (to - from > this.#maxLine) {
      this.#onLine(source, from, from + this.#maxLine, this.#part++, false);
      from += this.#maxLine;
    }
    this.#onLine(source, from, to, this.#part, true);
    this.#part = 0;
  }

  #joinPending(): Uint8Array {
    if (this.#pending.length === 1) return this.#pending[0]!;
    const out = new Uint8Array(this.#pendingBytes);
    let offset = 0;
    for (const piece of this.#pending) {
      out.set(piece, offset);
      offset += piece.length;
    }
    return out;
  }
}
