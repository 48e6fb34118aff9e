/**
 * Whether loader mode applies, decided before anything of Docker is loaded: a run without the
 * socket (every direct-mode run) never reads the engine client.
 *
 * @module
 */

import { parseBoolWord } from "../config/bool_words.ts";

/** The socket the loader looks for. */
export const DOCKER_SOCKET = "/var/run/docker.sock";

/** Whether loader mode applies: a socket and no `AMPPILOT_STANDALONE`. */
export function loaderModeApplies(
  env: Readonly<Record<string, string | undefined>>,
  socket: string = DOCKER_SOCKET,
): boolean {
  // The configuration's own words; a malformed value is reported when the configuration loads.
  if (parseBoolWord(env.AMPPILOT_STANDALONE ?? "") === true) return false;
  try {
    return Deno.statSync(socket).isSocket === true;
  } catch {
    return false;
  }
}
