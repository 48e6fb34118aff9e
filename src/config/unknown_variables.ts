/**
 * `AMPPILOT_*` variables that are no setting: most likely typos, which would otherwise be
 * silently ignored. Each gets one warning with the nearest known name.
 *
 * @module
 */

import type { Environment } from "./env.ts";
import { nearestName } from "./nearest_name.ts";
import { showText } from "./redact.ts";
import { knownVariables } from "./variables.ts";

const PREFIX = "AMPPILOT_";

/** Per-dependency variables have their own warning when they name no dependency. */
const ONLY_AT_STARTUP_VARIABLE = /^AMPPILOT_.+_ONLY(AT|ON)STARTUP$/;

/**
 * One warning per `AMPPILOT_*` variable of `env` that amp-pilot does not read, set or empty.
 * Only the name is shown, never the value (a misspelt password variable is still a password).
 */
export function unknownVariableWarnings(env: Environment): string[] {
  const known = knownVariables().filter((name) => name.startsWith(PREFIX));
  const knownSet = new Set(known);
  const suffixes = known.map((name) => name.slice(PREFIX.length));
  return Object.keys(env)
    .filter((name) =>
      name.toUpperCase().startsWith(PREFIX) && !knownSet.has(name) &&
      !ONLY_AT_STARTUP_VARIABLE.test(name)
    )
    .sort()
    .map((name) => {
      const nearest = nearestName(name.slice(PREFIX.length), suffixes);
      return `${showText(name)}: not a setting; ` +
        (nearest ? `did you mean ${PREFIX}${nearest}?` : "see amp-pilot check --help");
    });
}
