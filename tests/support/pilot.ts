/**
 * Runs the real pilot (`deno run main.ts`) as a child process for integration tests, with
 * exactly the environment given, and collects what it prints (and records it for the scan for
 * secrets at the end of the run, tests/support/secrets.ts).
 *
 * @module
 */

import { eventually } from "./eventually.ts";
import { callerLabel, recordPilotOutput } from "./secrets.ts";
import { PILOT_ENTRY } from "./entry.ts";
import { procStatFields } from "./proc_stat.ts";

/** Fast periods, a 1 s stop timeout and a fixed address: integration tests that run in seconds. */
export const FAST_PERIODS: Readonly<Record<string, string>> = {
  AMPPILOT_STARTUPCHECKPERIOD: "0.2",
  AMPPILOT_CHECKPERIOD: "0.5",
  AMPPILOT_STOPTIMEOUT: "1s",
  AMPPILOT_REGISTEREDIP: "127.0.0.1",
};

/** A child's whole environment (for `clearEnv`): the tests' PATH and HOME, then `env`. */
export function childEnv(env: Record<string, string>): Record<string, string> {
  return {
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    HOME: Deno.env.get("HOME") ?? "/",
    ...env,
  };
}

/** A pilot under test. */
export interface PilotUnderTest extends AsyncDisposable {
  /** Its pid. */
  readonly pid: number;
  /** Resolves with its exit status. */
  readonly status: Promise<Deno.CommandStatus>;
  /** Everything it wrote to stdout so far. */
  stdout(): string;
  /** Everything it wrote to stderr so far (its logs). */
  stderr(): string;
  /** Sends it a signal. */
  signal(signal: Deno.Signal): void;
  /** Waits until its logs match `pattern`. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

/** Options of {@linkcode startPilot}. */
export interface PilotOptions {
  /** Extra arguments of `deno run` before main.ts (e.g. permissions); default `--allow-all`. */
  readonly denoFlags?: readonly string[];
  /** Run through this wrapper argv (e.g. `unshare …`). */
  readonly wrapper?: readonly string[];
}

/**
 * Starts `main.ts run -- <mate>` with `env` (PATH and HOME are added).
 *
 * @param env The pilot's environment.
 * @param mate The mate's argv (omit to use `AMPPILOT_LAUNCH_CMD`).
 */
export function startPilot(
  env: Record<string, string>,
  mate: readonly string[] = [],
  options: PilotOptions = {},
): PilotUnderTest {
  const denoArgs = [
    "run",
    ...(options.denoFlags ?? ["--allow-all"]),
    "--frozen",
    PILOT_ENTRY,
    ...(mate.length > 0 ? ["--", ...mate] : []),
  ];
  const [command, ...args] = options.wrapper
    ? [...options.wrapper, Deno.execPath(), ...denoArgs]
    : [Deno.execPath(), ...denoArgs];
  const child = new Deno.Command(command!, {
    args,
    env: childEnv(env),
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let out = "";
  let err = "";
  const decoder = () => new TextDecoder();
  const collect = async (stream: ReadableStream<Uint8Array>, add: (t: string) => void) => {
    const d = decoder();
    for await (const chunk of stream) add(d.decode(chunk, { stream: true }));
  };
  const collected = Promise.all([
    collect(child.stdout, (t) => (out += t)),
    collect(child.stderr, (t) => (err += t)),
  ]);
  const label = callerLabel();
  const status = child.status.then(async (s) => {
    await collected;
    recordPilotOutput(env, out, err, label);
    return s;
  });
  let done = false;
  status.finally(() => (done = true));
  return {
    pid: child.pid,
    status,
    stdout: () => out,
    stderr: () => err,
    signal: (signal) => child.kill(signal),
    waitForLog: async (pattern, timeoutMs = 15_000) => {
      await eventually(() => {
        if (!pattern.test(err)) {
          throw new Error(`pilot logs do not match ${pattern} (exited: ${done}):\n${err}`);
        }
      }, timeoutMs);
    },
    [Symbol.asyncDispose]: async () => {
      if (!done) {
        // SIGTERM first: a pilot killed outright leaves its mate behind holding the pipes
        // (stdio is inherited in Consul mode), and the output would never end.
        child.kill("SIGTERM");
        if (!(await exitsWithin(child.status, DISPOSE_GRACE_MS))) killTree(child.pid);
      }
      await status;
    },
  };
}

/** How long a pilot disposed of may take to stop its mate before it is killed (ms). */
const DISPOSE_GRACE_MS = 10_000;

async function exitsWithin(status: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const exited = await Promise.race([status.then(() => true), late]);
  clearTimeout(timer);
  return exited;
}

/**
 * SIGKILLs a process and every process below it: a mate that outlived its pilot would hold the
 * pipes, and the wait for the pilot's output would never end.
 */
function killTree(pid: number): void {
  const parents = new Map<number, number[]>();
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const ppid = Number(procStatFields(entry.name)[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry.name)]);
    } catch {
      // gone meanwhile
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...(parents.get(tree[i]!) ?? []));
  for (const member of tree) {
    try {
      Deno.kill(member, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }
}

/** A temporary directory removed on dispose. */
export async function tempDir(): Promise<{ path: string } & AsyncDisposable> {
  const path = await Deno.makeTempDir({ prefix: "amp-pilot-test-" });
  return {
    path,
    [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }).catch(() => {}),
  };
}

/** Lines of a file, or none when it does not exist yet. */
export async function lines(path: string): Promise<string[]> {
  try {
    return (await Deno.readTextFile(path)).split("\n").filter((l) => l !== "");
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
}
