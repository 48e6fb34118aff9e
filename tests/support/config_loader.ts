/**
 * `loadConfig()` over a few in-memory files, for the tests of settings read from files.
 *
 * @module
 */

import { ConfigError } from "../../src/config/errors.ts";
import { loadConfig, type LoadedConfig } from "../../src/config/load.ts";

/** Loads with `base` under each call's environment; a path not in `files` does not exist. */
export function configLoader(
  base: Record<string, string>,
  files: Record<string, string>,
): {
  load: (env: Record<string, string>) => Promise<LoadedConfig>;
  problems: (env: Record<string, string>) => Promise<readonly string[]>;
} {
  const load = (env: Record<string, string>) =>
    loadConfig({
      env: { ...base, ...env },
      randomSuffix: () => "abcd1234",
      readTextFile: (path) =>
        path in files
          ? Promise.resolve(files[path]!)
          : Promise.reject(new Deno.errors.NotFound(path)),
    });
  const problems = async (env: Record<string, string>) => {
    try {
      await load(env);
    } catch (e) {
      if (e instanceof ConfigError) return e.problems;
      throw e;
    }
    throw new Error("expected a configuration error");
  };
  return { load, problems };
}
