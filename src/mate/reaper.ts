/**
 * Zombie reaping for a pilot that runs as PID 1: orphaned processes are re-parented to it, and
 * nothing in Deno waits for them. On SIGCHLD the reaper peeks at exited children with
 * `waitid(WNOWAIT)` and reaps only those the pilot did not spawn itself, so that Deno still
 * gets the exit status of its own children (`waitpid(-1)` would steal it).
 *
 * @module
 */

import type { Reaper } from "./no_reaper.ts";

const P_ALL = 0;
const WNOHANG = 1;
const WEXITED = 4;
const WNOWAIT = 0x01000000;
const SI_PID_OFFSET = 16; // si_pid in siginfo_t on 64-bit Linux

const LIBC_CANDIDATES = ["libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/libc.so.6"];

/**
 * Starts the FFI reaper.
 *
 * @throws {Error} When libc cannot be opened (no glibc, or no `--allow-ffi`).
 */
export function startReaper(): Reaper {
  const libc = openLibc();
  const managed = new Set<number>();
  const siginfo = new Uint8Array(128);
  const view = new DataView(siginfo.buffer);
  const status = new Uint8Array(4);
  let reaped = 0;
  const reap = (): number => {
    let count = 0;
    for (;;) {
      siginfo.fill(0);
      if (libc.symbols.waitid(P_ALL, 0, siginfo, WEXITED | WNOHANG | WNOWAIT) !== 0) break;
      const pid = view.getInt32(SI_PID_OFFSET, true);
      if (pid === 0 || managed.has(pid)) break; // nothing exited, or Deno's own child is first
      libc.symbols.waitpid(pid, status, WNOHANG);
      count++;
    }
    reaped += count;
    return count;
  };
  const onChild = () => reap();
  Deno.addSignalListener("SIGCHLD", onChild);
  return {
    manage: (pid) => managed.add(pid),
    release: (pid) => {
      managed.delete(pid);
      reap(); // orphans queued behind this child can go now
    },
    reap,
    get reaped() {
      return reaped;
    },
    close: () => {
      Deno.removeSignalListener("SIGCHLD", onChild);
      libc.close();
    },
  };
}

function openLibc() {
  const symbols = {
    waitid: { parameters: ["i32", "i32", "buffer", "i32"], result: "i32" },
    waitpid: { parameters: ["i32", "buffer", "i32"], result: "i32" },
  } as const;
  let last: unknown;
  for (const path of LIBC_CANDIDATES) {
    try {
      return Deno.dlopen(path, symbols);
    } catch (e) {
      last = e;
    }
  }
  throw new Error(`cannot load libc for zombie reaping: ${(last as Error)?.message}`);
}
