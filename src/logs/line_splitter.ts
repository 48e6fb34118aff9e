/**
 * Splits a byte stream into lines for Kafka records (passthrough does not use it: it copies
 * bytes as they come). A line longer than the limit is cut into parts; a final line without a
 * newline is delivered on flush.
 *
 * @module
 */

const NEWLINE = 10;

/** Accumulates chunks and calls `onLine` with each complete line, without its newline. */
export class LineSplitter {
  readonly #onLine: (line: Uint8Array, part: number, last: boolean) => void;
  readonly #maxLine: number;
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #part = 0;

  /**
   * @param onLine Receives each line (or part of a long line: `part` counts from 0, `last`
   *   tells whether it ends the line).
   * @param maxLine Longest part handed out, in bytes.
   */
  constructor(onLine: (line: Uint8Array, part: number, last: boolean) => void, maxLine: number) {
    this.#onLine = onLine;
    this.#maxLine = maxLine;
  }

  /** Feeds a chunk. */
  push(chunk: Uint8Array): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(NEWLINE, start);
      if (nl < 0) break;
      this.#emit(chunk.subarray(start, nl), true);
      start = nl + 1;
    }
    if (start < chunk.length) this.#keep(chunk.slice(start));
  }

  /** Delivers a final line that had no newline. */
  flush(): void {
    if (this.#pendingBytes > 0 || this.#part > 0) this.#emit(new Uint8Array(0), true);
  }

  #keep(rest: Uint8Array): void {
    this.#pending.push(rest);
    this.#pendingBytes += rest.length;
    while (this.#pendingBytes >= this.#maxLine) {
      const all = this.#joinPending();
      this.#onLine(all.subarray(0, this.#maxLine), this.#part++, false);
      const tail = all.slice(this.#maxLine);
      this.#pending = tail.length > 0 ? [tail] : [];
      this.#pendingBytes = tail.length;
    }
  }

  #emit(end: Uint8Array, last: boolean): void {
    let line = end;
    if (this.#pendingBytes > 0) {
      this.#pending.push(end);
      this.#pendingBytes += end.length;
      line = this.#joinPending();
      this.#pending = [];
      this.#pendingBytes = 0;
    }
    while (line.length > this.#maxLine) {
      this.#onLine(line.slice(0, this.#maxLine), this.#part++, false);
      line = line.subarray(this.#maxLine);
    }
    this.#onLine(line.slice(), this.#part, last);
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
