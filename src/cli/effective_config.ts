/**
 * The configuration `run` and `check` use: Docker discovery first when loader mode applies,
 * then every other source.
 *
 * @module
 */

import type { Environment } from "../config/env.ts";
import { loadConfig, type LoadedConfig, type LoadOptions } from "../config/load.ts";
import { loaderModeApplies } from "../docker/loader_mode.ts";

/** The configuration, and what Docker discovery contributed. */
export interface EffectiveConfig {
  /** The loaded configuration (warnings include discovery's). */
  readonly loaded: LoadedConfig;
  /** Loader mode applied (the mate's environment loses `CONSUL`). */
  readonly loaderMode: boolean;
  /** The container's full id, when discovery found it. */
  readonly containerId: string;
  /** The swarm node id, when discovery found one. */
  readonly nodeId: string;
}

/**
 * Loads the configuration, with Docker discovery when the socket is there.
 *
 * @throws {ConfigError} When the configuration is invalid.
 */
export async function loadEffectiveConfig(
  env: Environment,
  mateArgs: readonly string[],
): Promise<EffectiveConfig> {
  if (!loaderModeApplies(env)) {
    const loaded = await loadConfig({ env, args: mateArgs });
    return { loaded, loaderMode: false, containerId: "", nodeId: "" };
  }
  // Not a literal specifier: Deno would read the module and its imports at start (issue #14).
  const { discover } = await (import(String("../docker/discover.ts")) as Promise<
    typeof import("../docker/discover.ts")
  >);
  const discovery = await discover(env, mateArgs);
  const defaults = discovery.defaults;
  // With discovery, the arguments replace the image's Cmd inside the loader's command.
  const loaded = await loadConfig({
    env,
    args: defaults?.values.cmd ? [] : mateArgs,
    loader: defaults?.values as LoadOptions["loader"],
  });
  return {
    loaded: { ...loaded, warnings: [...discovery.warnings, ...loaded.warnings] },
    loaderMode: true,
    containerId: defaults?.containerId ?? "",
    nodeId: defaults?.nodeId ?? "",
  };
}
