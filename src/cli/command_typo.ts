/**
 * `amp-pilot chek` runs a program named `chek` (the first argument is the mate's when it is no
 * command). When no such program exists and the word is close to a command, the pilot says so
 * instead of starting a mate that cannot start.
 *
 * @module
 */

import { nearestName } from "../config/nearest_name.ts";
import { COMMAND_WORDS } from "./args.ts";

/** Tells whether `path` is a file (default: asks the file system). */
export type FileExists = (path: string) => Promise<boolean>;

const isFile: FileExists = async (path) => {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
};

/**
 * The message for a first argument that is most likely a misspelt command, or undefined.
 *
 * @param word The first argument, taken for the mate's program.
 * @param path The `PATH` the program would be looked up in.
 */
export async function commandTypo(
  word: string,
  path: string | undefined,
  exists: FileExists = isFile,
): Promise<string | undefined> {
  if (word.includes("/")) return undefined;
  const command = nearestName(word, COMMAND_WORDS);
  if (command === undefined) return undefined;
  for (const dir of (path ?? "").split(":")) {
    if (await exists(`${dir || "."}/${word}`)) return undefined;
  }
  return `unknown command "${word}", and no program of that name to run; ` +
    `did you mean amp-pilot ${command}?`;
}
