/**
 * Runs the ready command once: in its own process group, with a timeout that kills the group,
 * and its output kept for the check's notes.
 *
 * @module
 */

import { spawnDetached } from "./mate_process.ts";
import { signalGroup } from "./process_group.ts";
import { after } from "../timer.ts";

/** Output kept from a run (Consul keeps 4 KiB of check output by default). */
export const READY_OUTPUT_MAX = 4000;

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
  const output = Promise.all([tail(child.stdout), tail(child.stderr)]);
  const status = await child.status;
  timer.cancel();
  signalGroup(child.pid, "SIGKILL"); // its grandchildren may still hold the pipes open
  const [out, err] = await output;
  const text = `${out}${err}`.slice(-READY_OUTPUT_MAX);
  if (timedOut) {
    return { ok: false, output: `ready command timed out after ${timeoutMs} ms\n${text}` };
  }
  if (status.success) return { ok: true, output: text };
  const how = status.signal ? `was killed by ${status.signal}` : `exited with ${status.code}`;
  return { ok: false, output: `ready command ${how}\n${text}`.trimEnd() };
}

async function tail(stream: ReadableStream<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of stream) {
    text = (text + decoder.decode(chunk, { stream: true })).slice(-READY_OUTPUT_MAX);
  }
  return text;
}
