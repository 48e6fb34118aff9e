/**
 * The mate's output: copied byte for byte to the pilot's own stdout and stderr, in order per
 * stream, and cut into lines for Kafka on the way.
 *
 * @module
 */

import { LineSplitter } from "./line_splitter.ts";
import type { KafkaShipper } from "./kafka_shipper.ts";
import { MAX_RECORD_BYTES } from "./kafka_shipper.ts";

/** Something bytes can be written to, like `Deno.stdout`. */
export interface ByteSink {
  /** Writes some of `p`; returns how many bytes were written. */
  write(p: Uint8Array): Promise<number>;
}

/** Copies `source` to `target` unchanged, handing each chunk to `onChunk` after it is written. */
export async function pump(
  source: ReadableStream<Uint8Array>,
  target: ByteSink,
  onChunk?: (chunk: Uint8Array) => void,
): Promise<void> {
  for await (const chunk of source) {
    let written = 0;
    while (written < chunk.length) written += await target.write(chunk.subarray(written));
    onChunk?.(chunk);
  }
}

/** A splitter that turns one stream's lines into Kafka records. */
export function kafkaLines(shipper: KafkaShipper, stream: "stdout" | "stderr"): LineSplitter {
  return new LineSplitter((line, part, last) => {
    if (part === 0 && last) shipper.push(stream, line);
    else shipper.push(stream, line, { part: part + 1, lastPart: last });
  }, MAX_RECORD_BYTES);
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
