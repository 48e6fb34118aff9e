/**
 * The pilot's log lines on their way to stderr: queued and written in order by one asynchronous
 * writer, so that a stderr nobody reads (a full pipe: a stalled log driver, `2>&1 | slow`) never
 * holds the supervisor up — a SIGTERM is still passed on, Consul still told. The queue is bounded:
 * lines past it are dropped and counted, and a line says how many once there is room. A stderr
 * that is gone (the reader exited, the descriptor closed) drops every later line.
 *
 * @module
 */

import { type ByteSink, writeAll } from "./write_all.ts";
import { within } from "../timer.ts";

/** Bytes of lines held while stderr is not read, the batch being written included. */
export const MAX_QUEUED_BYTES = 1024 * 1024;

/** Lines written in order to a byte sink, without waiting for it. */
export interface LineQueue {
  /** Queues `text` (one or more whole lines); dropped when the queue is full or the sink gone. */
  write(text: string): void;
  /**
   * Waits until every line queued so far is written, but no longer than `timeoutMs`; then lets
   * go of what is left (a sink full for now is no longer tried again), so that nothing of the
   * queue outlives it. Lines written later are queued again.
   */
  flush(timeoutMs: number): Promise<void>;
}

/**
 * A queue of lines for `target`, holding at most `maxBytes` bytes not yet written, the batch
 * being written included.
 */
export function lineQueue(target: ByteSink, maxBytes: number = MAX_QUEUED_BYTES): LineQueue {
  const encoder = new TextEncoder();
  let queued: Uint8Array[] = [];
  let queuedBytes = 0;
  let writingBytes = 0;
  let dropped = 0;
  let gone = false;
  let writing: Promise<void> | undefined;
  let stop = new AbortController();

  const enqueue = (bytes: Uint8Array): boolean => {
    if (writingBytes + queuedBytes + bytes.length > maxBytes) return false;
    queued.push(bytes);
    queuedBytes += bytes.length;
    return true;
  };

  const drain = async (signal: AbortSignal): Promise<void> => {
    while ((queued.length > 0 || dropped > 0) && !gone) {
      if (dropped > 0) {
        // Once a line is dropped, every later one is until this note: the note marks the place.
        const note = encoder.encode(
          `amp-pilot: ${dropped} log lines were dropped here: stderr was not read\n`,
        );
        queued.push(note);
        queuedBytes += note.length;
        dropped = 0;
      }
      const batch = concat(queued, queuedBytes);
      queued = [];
      queuedBytes = 0;
      writingBytes = batch.length;
      try {
        await writeAll(target, batch, signal);
      } catch {
        gone = !signal.aborted; // the reader exited or the descriptor is closed
      }
      // Let go of by flush(): the queue is another one's now.
      if (signal.aborted) return;
      writingBytes = 0;
    }
    writing = undefined;
  };

  return {
    write(text) {
      if (gone) return;
      if (dropped > 0 || !enqueue(encoder.encode(text))) dropped++;
      writing ??= drain(stop.signal);
    },
    async flush(timeoutMs) {
      await within(timeoutMs, writing);
      if (writing === undefined) return;
      stop.abort();
      stop = new AbortController();
      queued = [];
      queuedBytes = 0;
      writingBytes = 0;
      dropped = 0;
      writing = undefined;
    },
  };
}

function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const whole = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    whole.set(chunk, offset);
    offset += chunk.length;
  }
  return whole;
}
