/**
 * `amp-pilot status`: what the pilot of this container is doing, from its status file, for a
 * person (or as JSON with `--json`). Exits 0 while the pilot runs (a fresh status, not exited),
 * 1 otherwise.
 *
 * @module
 */

import type { Environment } from "../config/env.ts";
import {
  judgeStatus,
  parseStatus,
  type PilotStatus,
  type UnreadableStatus,
} from "../runtime/status_file.ts";
import { seconds } from "../supervisor/waiting.ts";
import { readStatusText } from "./health.ts";
import { statusFilePath } from "./status_path.ts";

/** Inputs of {@linkcode runStatus}. */
export interface StatusOptions {
  /** The environment (where the status file is). */
  readonly env: Environment;
  /** Print JSON instead of text. */
  readonly json: boolean;
  /** Writes to stdout. */
  readonly out: (text: string) => void;
}

/** The verdict on a status file: does a pilot run, and what it says. */
export interface StatusReport {
  /** A pilot runs: its status is fresh and it has not exited. */
  readonly running: boolean;
  /** The status, when the file holds one. */
  readonly status: PilotStatus | undefined;
  /** One line: what the pilot does, or why there is none. */
  readonly line: string;
}

/** Reads the status file and prints it; returns the exit code. */
export async function runStatus(options: StatusOptions): Promise<number> {
  const { path, report } = await readStatusReport(options.env);
  if (options.json) {
    options.out(
      `${
        JSON.stringify({ running: report.running, line: report.line, ...report.status }, null, 2)
      }\n`,
    );
  } else {
    options.out(`${formatStatus(report, path, Date.now()).join("\n")}\n`);
  }
  return report.running ? 0 : 1;
}

/** Finds the status file as `run` does, reads it and judges whether a pilot runs. */
export async function readStatusReport(
  env: Environment,
): Promise<{ readonly path: string; readonly report: StatusReport }> {
  const { path } = await statusFilePath(env);
  return { path, report: judgeRunning(await readStatusText(path), path, Date.now()) };
}

/** Whether a pilot runs, by its status file's text. */
export function judgeRunning(
  text: string | undefined | UnreadableStatus,
  path: string,
  now: number,
): StatusReport {
  const verdict = judgeStatus(text, path, now);
  const status = typeof text === "string" ? parseStatus(text) : undefined;
  if (!status) return { running: false, status: undefined, line: verdict.line };
  const fresh = now - status.updatedAt <= status.staleAfterMs;
  const running = fresh && status.phase !== "exited";
  return { running, status, line: verdict.line };
}

/** The status for a person, one fact a line. */
export function formatStatus(report: StatusReport, path: string, now: number): string[] {
  const s = report.status;
  if (!s) return [`amp-pilot status: ${report.line}`];
  const ago = (at: number) => `${seconds(now - at)} ago`;
  const head = report.running
    ? `amp-pilot status: running as pid ${s.pid}` +
      (s.startedAt ? `, up ${seconds(now - s.startedAt)}` : "")
    : `amp-pilot status: not running (${report.line})`;
  const lines = [head, `  phase: ${s.phase}: ${s.reason}`, `  ready: ${s.ready ? "yes" : "no"}`];
  if (s.mate) {
    const exit = s.mate.lastExit
      ? `; last exit ${
        s.mate.lastExit.signal
          ? `by ${s.mate.lastExit.signal}`
          : `with code ${s.mate.lastExit.code}`
      } ${ago(s.mate.lastExit.at)}`
      : "";
    const pid = s.mate.pid === null ? "not running" : `pid ${s.mate.pid}`;
    lines.push(`  mate: ${pid}, started ${s.mate.starts} time(s)${exit}`);
  }
  for (const [name, d] of Object.entries(s.dependencies ?? {})) {
    lines.push(`  dependency ${name}: ${d.health} for ${seconds(now - d.since)} (${d.reason})`);
  }
  if (s.registration) {
    const r = s.registration;
    lines.push(
      `  Consul: ${r.consul}; instance ${r.serviceId} of ${r.serviceName} at ${r.address}: ` +
        registrationWords(r.state),
    );
  }
  if (s.lastConsulError) {
    lines.push(`  last Consul error: ${s.lastConsulError.message} (${ago(s.lastConsulError.at)})`);
  }
  lines.push(`  status file: ${path}, written ${ago(s.updatedAt)}`);
  return lines;
}

/** The registration state in words where its name alone says too little. */
function registrationWords(state: string): string {
  if (state === "announced") return "announced (listed as waiting, check critical)";
  if (state === "announcing") return "announcing (listing it as waiting: not confirmed by Consul)";
  return state;
}
