/**
 * The Docker engine for tests: the one `DOCKER_HOST` names (CI starts a private one with
 * `scripts/docker_engine.sh`). A test that needs it fails with the reason when there is none.
 *
 * @module
 */

/** The engine's unix socket, from `DOCKER_HOST`. */
export function dockerSocket(): string {
  const host = Deno.env.get("DOCKER_HOST") ?? "";
  if (!host.startsWith("unix://")) {
    throw new Error(
      "this test needs a Docker engine: run `bash scripts/docker_engine.sh install && " +
        "export DOCKER_HOST=$(bash scripts/docker_engine.sh start)`",
    );
  }
  return host.slice("unix://".length);
}

/** Runs the docker client; throws with its output when it fails. */
export async function docker(args: string[], input?: string): Promise<string> {
  const child = new Deno.Command("docker", {
    args,
    stdin: input === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (input !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(input));
    await writer.close();
  }
  const { success, stdout, stderr } = await child.output();
  const out = new TextDecoder().decode(stdout);
  if (!success) {
    throw new Error(`docker ${args.join(" ")} failed: ${new TextDecoder().decode(stderr)}${out}`);
  }
  return out.trim();
}

/** Builds an image from a Dockerfile text and a context folder. */
export async function buildImage(tag: string, dockerfile: string, context: string): Promise<void> {
  await Deno.writeTextFile(`${context}/Dockerfile`, dockerfile);
  await docker(["build", "-q", "-t", tag, context]);
}
