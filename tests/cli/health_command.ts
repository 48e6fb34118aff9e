/**
 * Runs `amp-pilot health` against a status file, as Docker's HEALTHCHECK would.
 *
 * @module
 */

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** The exit code and the line of `amp-pilot health`. */
export async function health(statusFile: string): Promise<{ code: number; line: string }> {
  const { code, stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--frozen", MAIN, "health"],
    env: { AMPPILOT_STATUSFILE: statusFile },
    stdout: "piped",
    stderr: "null",
  }).output();
  return { code, line: new TextDecoder().decode(stdout) };
}
