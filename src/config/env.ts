/**
 * The environment source: aliases, empty-means-unset, and per-dependency flags.
 *
 * @module
 */

import type { RawValue } from "./conffile.ts";
import { type SettingKey, SETTINGS } from "./settings.ts";

/** An environment snapshot: variable name to value. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** What the environment contributed. */
export interface EnvLayer {
  /** Values by setting. */
  readonly values: Map<SettingKey, RawValue>;
  /** Warnings (logged, not fatal). */
  readonly warnings: string[];
}

/** The value of `name`, with the empty string counted as unset. */
export function envValue(env: Environment, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === "" ? undefined : value;
}

/**
 * Reads every setting from the environment. When several aliases of one setting are set, the
 * first in the documented order wins and a warning names the ones ignored.
 */
export function readEnvLayer(env: Environment): EnvLayer {
  const layer: EnvLayer = { values: new Map(), warnings: [] };
  for (const s of SETTINGS) {
    const set = s.env.filter((name) => envValue(env, name) !== undefined);
    const first = set[0];
    if (first === undefined) continue;
    layer.values.set(s.key, { raw: envValue(env, first), origin: first });
    const conflicting = set.slice(1).filter((name) => envValue(env, name) !== envValue(env, first));
    if (conflicting.length > 0) {
      layer.warnings.push(`${first} is used; ${conflicting.join(", ")} set too and ignored`);
    }
  }
  return layer;
}

/**
 * The name part of a per-dependency variable: upper-cased, with `-` and every character a shell
 * cannot export removed (`amp-log-worker` → `AMPLOGWORKER`).
 */
export function dependencyEnvPart(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9_]/g, "");
}

/** The variables that set "only at startup" for a dependency, in priority order. */
export function onlyAtStartupVariables(name: string): [string, string] {
  const part = dependencyEnvPart(name);
  return [`AMPPILOT_${part}_ONLYATSTARTUP`, `AMPPILOT_${part}_ONLYONSTARTUP`];
}

const ONLY_AT_STARTUP_VARIABLE = /^AMPPILOT_(.+)_ONLY(AT|ON)STARTUP$/;

/** Per-dependency variables present in the environment whose part matches none of `names`. */
export function strayOnlyAtStartupVariables(env: Environment, names: readonly string[]): string[] {
  const parts = new Set(names.map(dependencyEnvPart));
  return Object.keys(env).filter((variable) => {
    const m = ONLY_AT_STARTUP_VARIABLE.exec(variable);
    return m !== null && envValue(env, variable) !== undefined && !parts.has(m[1]!);
  });
}
