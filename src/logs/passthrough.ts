/**
 * The mate's output: copied byte for byte to the pilot's own stdout and stderr, in order per
 * stream, and cut into lines for Kafka on the way.
 *
 * @module
 */

import { LineSplitter } from "./line_splitter.ts";
import type { KafkaShipper } from "./kafka_shipper.ts";
import { MAX_RECORD_BYTES } from "./record.ts";

/** Something bytes can be written to, like `Deno.stdout`. */
export interface ByteSink {
  /** Writes some of `p`; returns how many bytes were written. */
  write(p: Uint8Array): Promise<number>;
}

const READ_BUFFER_BYTES = 256 * 1024;

/**
 * Copies `source` to `target` unchanged, handing each chunk to `onChunk` after it is written.
 * One read buffer is reused (a BYOB reader), so that the copy allocates nothing per chunk; the
 * chunk is only valid during `onChunk`.
 */
export async function pump(
  source: ReadableStream<Uint8Array>,
  target: ByteSink,
  onChunk?: (chunk: Uint8Array) => void,
): Promise<void> {
  const reader = source.getReader({ mode: "byob" });
  let buffer = new Uint8Array(READ_BUFFER_BYTES);
  try {
    for (;;) {
      const { value, done } = await reader.read(buffer);
      if (done || !value) break;
      let written = 0;
      while (written < value.length) written += await target.write(value.subarray(written));
      onChunk?.(value);
      buffer = new Uint8Array(value.buffer); // the same memory, handed back by the reader
    }
  } finally {
    reader.releaseLock();
  }
}

/** Turns one stream's chunks into Kafka records, one per line, stamped with the chunk's time. */
export function kafkaLines(
  shipper: KafkaShipper,
  stream: "stdout" | "stderr",
): { push(chunk: Uint8Array): void; flush(): void } {
  let now = 0;
  const splitter = new LineSplitter((source, start, end, part, last) => {
    const encoded = part === 0 && last ? 0 : last ? -(part + 1) : part + 1;
    shipper.pushRange(stream, source, start, end, now, encoded);
  }, MAX_RECORD_BYTES);
  return {
    push(chunk) {
      now = performance.timeOrigin + performance.now();
      splitter.push(chunk);
    },
    flush() {
      now = performance.timeOrigin + performance.now();
      splitter.flush();
    },
  };
}

/**
 * Pumps both output streams of the mate to the pilot's stdout and stderr and, with a shipper,
 * to Kafka. Resolves when both streams have ended.
 */
export async function passThrough(
  output: { stdout: ReadableStream<Uint8Array>; stderr: ReadableStream<Uint8Array> },
  shipper: KafkaShipper | undefined,
  targets: { stdout: ByteSink; stderr: ByteSink } = { stdout: Deno.stdout, stderr: Deno.stderr },
): Promise<void> {
  const out = shipper ? kafkaLines(shipper, "stdout") : undefined;
  const err = shipper ? kafkaLines(shipper, "stderr") : undefined;
  await Promise.all([
    pump(output.stdout, targets.stdout, out && ((c) => out.push(c))),
    pump(output.stderr, targets.stderr, err && ((c) => err.push(c))),
  ]);
  out?.flush();
  err?.flush();
}
