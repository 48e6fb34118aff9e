/**
 * Runs the ready command once: in its own process group, with a timeout that kills the group,
 * and its output kept for the check's notes.
 *
 * @module
 */

import { spawnDetached } from "./mate_process.ts";
import { signalGroup } from "./process_group.ts";
import { after, within } from "../timer.ts";

/** Output kept from a run (Consul keeps 4 KiB of check output by default). */
export const READY_OUTPUT_MAX = 4000;

/**
 * How long the output is still read once the command has exited: a daemon it started in a session
 * of its own keeps the pipes open, and the group's SIGKILL does not reach it.
 */
const OUTPUT_DRAIN_MS = 1_000;

/** The outcome of one run. */
export interface ReadyResult {
  /** Exit 0 within the timeout. */
  readonly ok: boolean;
  /** The end of its stdout and stderr, or why it could not run. */
  readonly output: string;
}

/**
 * Runs the ready command.
 *
 * @param argv The command.
 * @param timeoutMs Longest run.
 * @param onSpawn Called with the pid right after the spawn (for the PID-1 reaper).
 */
export async function runReadyCheck(
  argv: readonly string[],
  timeoutMs: number,
  onSpawn?: (pid: number) => void,
): Promise<ReadyResult> {
  const spawned = spawnDetached(argv, { stdio: "piped", onSpawn });
  if (!spawned.ok) return { ok: false, output: `ready command: ${spawned.failure.reason}` };
  const child = spawned.child;
  let timedOut = false;
  const timer = after(timeoutMs, () => {
    timedOut = true;
    signalGroup(child.pid, "SIGKILL");
  });
  const readers = [child.stdout.getReader(), child.stderr.getReader()];
  const output = Promise.all(readers.map(tail));
  const status = await child.status;
  timer.cancel();
  signalGroup(child.pid, "SIGKILL"); // its grandchildren may still hold the pipes open
  await within(OUTPUT_DRAIN_MS, output);
  for (const reader of readers) reader.cancel().catch(() => {});
  const [out, err] = await output;
  const text = `${out}${err}`.slice(-READY_OUTPUT_MAX);
  if (timedOut) {
    return { ok: false, output: `ready command timed out after ${timeoutMs} ms\n${text}` };
  }
  if (status.success) return { ok: true, output: text };
  const how = status.signal ? `was killed by ${status.signal}` : `exited with ${status.code}`;
  return { ok: false, output: `ready command ${how}\n${text}`.trimEnd() };
}

/** Reads until the end of the stream or until the reader is cancelled; a read error ends it. */
async function tail(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      text = (text + decoder.decode(value, { stream: true })).slice(-READY_OUTPUT_MAX);
    }
  } catch {
    // The pipe broke: what was read is all there is.
  }
  return text;
}
