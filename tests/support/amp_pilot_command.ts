/**
 * Runs `amp-pilot health` (and the other commands that read the status file) as a separate
 * process, as Docker's HEALTHCHECK or an operator would.
 *
 * @module
 */

import { PILOT_ENTRY } from "./entry.ts";

/** The exit code and the line of `amp-pilot health`. */
export async function health(statusFile: string): Promise<{ code: number; line: string }> {
  const { code, stdout } = await ampPilot(["health"], { AMPPILOT_STATUSFILE: statusFile });
  return { code, line: stdout };
}

/** Runs `amp-pilot <args>` with exactly `env` (plus PATH); returns its exit code and output. */
export async function ampPilot(
  args: readonly string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await ampPilotCommand(args, env).output();
  const text = new TextDecoder();
  return { code, stdout: text.decode(stdout), stderr: text.decode(stderr) };
}

/**
 * The command `amp-pilot <args>` with exactly `env` (plus PATH), stdout and stderr piped, for a
 * test that spawns it itself.
 */
export function ampPilotCommand(
  args: readonly string[],
  env: Record<string, string>,
  options: Omit<Deno.CommandOptions, "args" | "env" | "clearEnv"> = {},
): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--frozen", PILOT_ENTRY, ...args],
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", ...env },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
    ...options,
  });
}
