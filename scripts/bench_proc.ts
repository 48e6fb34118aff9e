/**
 * What a running process costs, read from /proc: resident memory and CPU time. Shared by the
 * parts of `deno task bench`.
 *
 * @module
 */

import { procStatFields } from "../tests/support/proc_stat.ts";

/**
 * Resident memory of a process, in MB (from /proc): all of it (`VmRSS`), or only its anonymous
 * part (`RssAnon`: what is the process's own, as opposed to pages of its executable, which every
 * process running the same file shares).
 */
export function rssMb(pid: number, field: "VmRSS" | "RssAnon" = "VmRSS"): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1]) / 1024;
}

/** CPU seconds (user + system) a running process has used so far (from /proc; 100 ticks/s). */
export function cpuSeconds(pid: number): number {
  const fields = procStatFields(pid);
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime
}
