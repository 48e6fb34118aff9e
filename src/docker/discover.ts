/**
 * Loader mode: when the Docker socket is there and `AMPPILOT_STANDALONE` is not set, ask the
 * engine about the pilot's own container and its image. Every failure becomes one warning line
 * and the pilot goes on with its environment; nothing is silent.
 *
 * @module
 */

import { DockerEngine, DockerError } from "./engine.ts";
import { readContainer, readImage } from "./engine_answer.ts";
import { type LoaderDefaults, loaderDefaults } from "./loader_defaults.ts";
import { ownContainerCandidates } from "./own_container.ts";
import { DOCKER_SOCKET } from "./loader_mode.ts";

/** What discovery found, and what went wrong. */
export interface Discovery {
  /** The defaults, when the container and its image could be inspected. */
  readonly defaults: LoaderDefaults | undefined;
  /** One line per problem. */
  readonly warnings: string[];
  /** Whether loader mode applies (socket present, not standalone). */
  readonly active: boolean;
}

/**
 * Asks the engine about this container and its image.
 *
 * @param env The environment (HOSTNAME).
 * @param args Arguments given to the loader; they replace the image's Cmd.
 * @param socket The engine's socket.
 * @param candidates Container ids to try (found from the hostname and /proc by default).
 */
export async function discover(
  env: Readonly<Record<string, string | undefined>>,
  args: readonly string[],
  socket: string = DOCKER_SOCKET,
  candidates: readonly string[] = ownContainerCandidates(env),
): Promise<Discovery> {
  const warnings: string[] = [];
  if (candidates.length === 0) {
    warnings.push(
      `Docker discovery: cannot tell which container this is (HOSTNAME=${env.HOSTNAME ?? ""} ` +
        "is not a container id and /proc/self/cgroup and /proc/self/mountinfo name none); " +
        "using the environment only",
    );
    return { defaults: undefined, warnings, active: true };
  }
  const engine = new DockerEngine(socket);
  const giveUp = (reason: string): Discovery => {
    warnings.push(`Docker discovery: ${reason}; using the environment only`);
    return { defaults: undefined, warnings, active: true };
  };
  try {
    for (const id of candidates) {
      let answer: unknown;
      try {
        answer = await engine.inspectContainer(id);
      } catch (e) {
        if (!(e instanceof DockerError)) return giveUp(String(e));
        // Not this container: the next candidate may be.
        if (e.status === 404 && id !== candidates.at(-1)) continue;
        return giveUp(e.message);
      }
      const fieldProblems: string[] = [];
      const container = readContainer(answer, fieldProblems);
      if (!container) return giveUp(`container ${id}: ${fieldProblems.join("; ")}`);
      const said = () =>
        warnings.push(...fieldProblems.splice(0).map((p) => `Docker discovery: ${p}`));
      try {
        const image = readImage(await engine.inspectImage(container.Image), fieldProblems);
        said();
        return { defaults: loaderDefaults(container, image, args), warnings, active: true };
      } catch (e) {
        said();
        return giveUp(e instanceof Error ? e.message : String(e));
      }
    }
    return { defaults: undefined, warnings, active: true };
  } finally {
    engine.close();
  }
}
