/**
 * Runs `deno run` on a file or URL as a user would, from a folder of the test's choosing, with
 * only the tests' PATH and HOME and the environment given.
 *
 * @module
 */

import { childEnv } from "./pilot.ts";

/** What a `deno run` printed and its exit code. */
export interface DenoRunResult {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** `deno run <flags> --no-lock <entry> <args…>` from `cwd`; its exit code and output. */
export async function denoRun(
  cwd: string,
  entry: string,
  args: readonly string[],
  env: Record<string, string> = {},
  flags: readonly string[] = ["--allow-all"],
): Promise<DenoRunResult> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...flags, "--no-lock", entry, ...args],
    cwd,
    env: childEnv({ DENO_NO_UPDATE_CHECK: "1", ...env }),
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  return { code, out: d.decode(stdout), err: d.decode(stderr) };
}
