/**
 * The mate as a process: spawned as an argv (no shell) in its own session and process group,
 * environment inherited, stdio passed through; signalled as a group.
 *
 * @module
 */

import { fileStart, notFoundReason } from "./not_found.ts";
import { signalGroup } from "./process_group.ts";

/** A running mate. */
export interface MateProcess {
  /** Process id (also its process group and session id). */
  readonly pid: number;
  /** Resolves when the mate has exited. */
  readonly status: Promise<Deno.CommandStatus>;
  /** Sends a signal to the mate's process group. */
  signal(signal: Deno.Signal): void;
  /** The mate's output pipes, when spawned with `piped-output`. */
  readonly output:
    | { stdout: ReadableStream<Uint8Array>; stderr: ReadableStream<Uint8Array> }
    | undefined;
}

/** Why a command could not be started, with the exit code the pilot uses for it. */
export interface SpawnFailure {
  /** 127: not found (or its loader missing); 126: found but not executable (or its #! missing). */
  readonly exitCode: 126 | 127;
  /** One line for the user. */
  readonly reason: string;
}

/** Options of {@linkcode spawnDetached}. */
export interface SpawnOptions {
  /** Extra variables, or variables to remove (`undefined`), on top of the inherited ones. */
  readonly env?: Readonly<Record<string, string>>;
  /** Variables removed from the inherited environment. */
  readonly removeEnv?: readonly string[];
  /** `inherit` (default): the child uses the pilot's stdio. `piped`: stdout and stderr are
   * pipes to the pilot, stdin is `null`. `piped-output`: stdout and stderr are pipes, stdin is
   * inherited (the mate with log shipping). */
  readonly stdio?: "inherit" | "piped" | "piped-output";
  /** Called with the pid right after the spawn (the PID-1 reaper must know it at once). */
  readonly onSpawn?: (pid: number) => void;
}

/** Spawns `argv` in its own session, or describes why it cannot be started. */
export function spawnDetached(
  argv: readonly string[],
  options: SpawnOptions = {},
): { ok: true; child: Deno.ChildProcess } | { ok: false; failure: SpawnFailure } {
  const [command, ...args] = argv;
  const env = options.removeEnv?.length ? inheritedEnvWithout(options.removeEnv) : undefined;
  try {
    const child = new Deno.Command(command!, {
      args,
      detached: true,
      env: env ? { ...env, ...options.env } : options.env,
      clearEnv: env !== undefined,
      stdin: options.stdio === "piped" ? "null" : "inherit",
      stdout: options.stdio === undefined || options.stdio === "inherit" ? "inherit" : "piped",
      stderr: options.stdio === undefined || options.stdio === "inherit" ? "inherit" : "piped",
    }).spawn();
    options.onSpawn?.(child.pid);
    return { ok: true, child };
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      return { ok: false, failure: notFoundFailure(command!, options.env?.PATH) };
    }
    if (e instanceof Deno.errors.PermissionDenied) {
      return {
        ok: false,
        failure: { exitCode: 126, reason: `permission denied: cannot execute ${command}` },
      };
    }
    return {
      ok: false,
      failure: { exitCode: 126, reason: `cannot start ${command}: ${(e as Error).message}` },
    };
  }
}

/** Why `command` was not found: not there, or there but missing what it needs to run. */
function notFoundFailure(command: string, pathVar: string | undefined): SpawnFailure {
  const file = locate(command, pathVar ?? Deno.env.get("PATH") ?? "");
  const start = file === undefined ? undefined : fileStart(readStart(file) ?? new Uint8Array());
  // An interpreter that is there after all: something else is missing; say no more than known.
  const interpreterThere = start?.kind === "script" && !start.carriageReturn &&
    exists(start.interpreter);
  const reason = start && !interpreterThere ? notFoundReason(command, start) : undefined;
  if (!reason) return { exitCode: 127, reason: `command not found: ${command}` };
  // As a shell has it: a missing interpreter is 126, a program's missing loader 127.
  return { exitCode: start!.kind === "script" ? 126 : 127, reason };
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** The regular file `command` names, directly or through PATH; undefined when there is none. */
function locate(command: string, pathVar: string): string | undefined {
  const candidates = command.includes("/")
    ? [command]
    : pathVar.split(":").map((dir) => `${dir || "."}/${command}`);
  // As the spawn's own search: a file without an execute bit is not the command.
  return candidates.find((path) => {
    try {
      const info = Deno.statSync(path);
      return info.isFile && ((info.mode ?? 0) & 0o111) !== 0;
    } catch {
      return false;
    }
  });
}

/** The first bytes of a regular file (a local one: the spawn just looked at it). */
function readStart(path: string): Uint8Array | undefined {
  try {
    using file = Deno.openSync(path);
    const head = new Uint8Array(256);
    const n = file.readSync(head) ?? 0;
    return head.subarray(0, n);
  } catch {
    return undefined;
  }
}

function inheritedEnvWithout(names: readonly string[]): Record<string, string> {
  const env = Deno.env.toObject();
  for (const name of names) delete env[name];
  return env;
}

/**
 * Starts the mate. After it exits, whatever is left of its process group (grandchildren it
 * abandoned) is killed, so that nothing of an old run outlives it.
 */
export function startMate(
  argv: readonly string[],
  options: SpawnOptions = {},
): { ok: true; mate: MateProcess } | { ok: false; failure: SpawnFailure } {
  const spawned = spawnDetached(argv, options);
  if (!spawned.ok) return spawned;
  const { child } = spawned;
  const status = child.status.then((s) => {
    signalGroup(child.pid, "SIGKILL");
    return s;
  });
  return {
    ok: true,
    mate: {
      pid: child.pid,
      status,
      signal: (signal) => {
        signalGroup(child.pid, signal);
      },
      output: options.stdio === "piped-output"
        ? { stdout: child.stdout, stderr: child.stderr }
        : undefined,
    },
  };
}
