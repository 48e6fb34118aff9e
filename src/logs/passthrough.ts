/**
 * The mate's output: copied byte for byte to the pilot's own stdout and stderr, in order per
 * stream, and cut into lines for Kafka on the way.
 *
 * When the pilot's own stdout or stderr is gone (a pipe whose reader exited, as in
 * `amp-pilot … | head -c 10`), that stream of the mate is no longer read: its pipe is closed, so
 * the mate's next write fails (EPIPE, or SIGPIPE) as it would without the pilot. What the mate
 * wrote before is still shipped to Kafka; nothing after it is, since the mate could not write it.
 *
 * @module
 */

import { pilotLogger } from "../log/logger.ts";
import { type ByteSink, writeAll } from "../log/write_all.ts";
import { LineSplitter } from "./line_splitter.ts";
import type { KafkaShipper } from "./kafka_shipper.ts";
import { MAX_RECORD_BYTES } from "./record.ts";

const READ_BUFFER_BYTES = 256 * 1024;

/**
 * Copies `source` to `target` unchanged, handing each chunk to `onChunk` after it is written.
 * One read buffer is reused (a BYOB reader), so that the copy allocates nothing per chunk; the
 * chunk is only valid during `onChunk`.
 *
 * When writing to `target` fails (it is gone; a target full for now is waited for), the chunk
 * still goes to `onChunk`, `source` is cancelled (its writer's next write fails) and
 * `onTargetGone` is told; the copy then ends without an error.
 */
export async function pump(
  source: ReadableStream<Uint8Array>,
  target: ByteSink,
  onChunk?: (chunk: Uint8Array) => void,
  onTargetGone?: (error: unknown) => void,
): Promise<void> {
  const reader = source.getReader({ mode: "byob" });
  let buffer = new Uint8Array(READ_BUFFER_BYTES);
  try {
    for (;;) {
      const { value, done } = await reader.read(buffer);
      if (done || !value) break;
      const failure = await writeAll(target, value).then(() => undefined, (error) => ({ error }));
      onChunk?.(value);
      if (failure !== undefined) {
        await reader.cancel().catch(() => {});
        onTargetGone?.(failure.error);
        return;
      }
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
    pump(output.stdout, targets.stdout, out && ((c) => out.push(c)), targetGone("stdout")),
    pump(output.stderr, targets.stderr, err && ((c) => err.push(c)), targetGone("stderr")),
  ]);
  out?.flush();
  err?.flush();
}

/** Says (once per stream) that the pilot's own stream is gone and the mate's is closed. */
function targetGone(stream: "stdout" | "stderr"): (error: unknown) => void {
  return (error) =>
    pilotLogger().info(
      "the pilot's {stream} is gone ({reason}): the mate's {stream} is closed, so its next " +
        "write there fails as it would without the pilot",
      { stream, reason: error instanceof Error ? error.message : String(error) },
    );
}
