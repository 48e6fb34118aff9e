/**
 * Copies a file or folder with everything in it, modes kept (`cp -a`).
 *
 * @module
 */

/** Copies `from` to `to` as `cp -a` does; throws naming both when it fails. */
export async function copyTree(from: string, to: string): Promise<void> {
  const out = await new Deno.Command("cp", { args: ["-a", from, to] }).output();
  if (!out.success) {
    throw new Error(`cp -a ${from} ${to} failed: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
}
