/**
 * Builds a release with `scripts/release.ts` for tests. `deno compile` cannot run here (it
 * downloads denort): a clearly named development stand-in — the Deno runtime binary itself,
 * which has the same glibc needs as denort — is packaged where each compiled binary would be.
 *
 * @module
 */

const RELEASE = new URL("../../scripts/release.ts", import.meta.url).pathname;

/** The output of a release build. */
export interface ReleaseBuild {
  /** The folder holding the release's files. */
  readonly dist: string;
  /** What the release task printed on stdout (one file a line). */
  readonly out: string;
}

/**
 * Runs the release task into `<dir>/dist` with the stand-in as the binary of every architecture
 * in `arches` (for arm64 an x86_64 file: it is only packaged, never run).
 *
 * @throws {Error} When the task fails, with its output.
 */
export async function buildReleaseWithStandIn(
  dir: string,
  arches: readonly ("amd64" | "arm64")[] = ["amd64"],
): Promise<ReleaseBuild> {
  const standIn = `${dir}/deno-runtime-standin`;
  await Deno.copyFile(Deno.execPath(), standIn);
  const dist = `${dir}/dist`;
  const binaries = arches.flatMap((a) => [a === "amd64" ? "--binary" : "--binary-arm64", standIn]);
  const built = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      "--frozen",
      RELEASE,
      "--arch",
      arches.join(","),
      ...binaries,
      "--out",
      dist,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  if (!built.success) throw new Error(`release failed: ${d.decode(built.stderr)}`);
  return { dist, out: d.decode(built.stdout) };
}
