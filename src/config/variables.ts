/**
 * Every environment variable amp-pilot reads, with its conffile keys and default: one table, from
 * which `check --help`, the README's settings table and the check for unknown `AMPPILOT_*`
 * variables are all made, so that they cannot drift apart.
 *
 * @module
 */

import { CONSUL_TLS_ENV } from "./consul_tls.ts";
import { KAFKA_SECURITY_ENV } from "./kafka_security.ts";
import {
  CONFFILE_ENV,
  DEFAULTS,
  MAX_DURATION_MS,
  type Setting,
  SETTINGS,
  TOKEN_ENV,
  UNSET_MEANING,
} from "./settings.ts";
import { formatBytes } from "./values.ts";
import { formatDuration } from "./values.ts";

/** One row of the settings reference. */
export interface VariableRow {
  /** What the setting is, with its maximum when it has one. */
  readonly describe: string;
  /** Environment variables, aliases after the first; `<DEP>` stands for a dependency's name. */
  readonly env: readonly string[];
  /** Conffile keys, aliases after the first. */
  readonly conffile: readonly string[];
  /** The value when none is given (in backticks), or in words what its absence means. */
  readonly defaultText: string;
}

const [KAFKA_TLS, KAFKA_CACERT, ...KAFKA_SASL] = KAFKA_SECURITY_ENV;

/** Settings that are not one raw value of {@linkcode SETTINGS}. */
const OTHER_ROWS: readonly VariableRow[] = [
  {
    describe: "Consul ACL token",
    env: TOKEN_ENV,
    conffile: [],
    defaultText: "none",
  },
  {
    describe: "Consul TLS: CA, client certificate, key",
    env: CONSUL_TLS_ENV,
    conffile: [],
    defaultText: "the system's CAs, no client certificate",
  },
  {
    describe: "Kafka TLS (on; a CA besides the system's)",
    env: [KAFKA_TLS, KAFKA_CACERT],
    conffile: [],
    defaultText: "off",
  },
  {
    describe: "Kafka SASL login (mechanism, user, password)",
    env: KAFKA_SASL,
    conffile: [],
    defaultText: "none",
  },
  {
    describe: "dependency needed only at startup",
    env: ["AMPPILOT_<DEP>_ONLYATSTARTUP", "AMPPILOT_<DEP>_ONLYONSTARTUP"],
    conffile: ["Dependencies[].OnlyAtStartup"],
    defaultText: "`false`",
  },
  {
    describe: "conffile (JSON)",
    env: [CONFFILE_ENV],
    conffile: [],
    defaultText: "none",
  },
  {
    describe: "pilotLoader: wait for the binaries (seconds)",
    env: ["AMPPILOT_LOADER_WAIT"],
    conffile: [],
    defaultText: "`30`",
  },
];

/** Every row of the settings reference, in the order `check` prints the settings. */
export function variableRows(): VariableRow[] {
  return [...SETTINGS.map(settingRow), ...OTHER_ROWS];
}

/** Every environment variable read under its exact name (not the `<DEP>` patterns). */
export function knownVariables(): string[] {
  return variableRows().flatMap((row) => row.env).filter((name) => !name.includes("<"));
}

function settingRow(s: Setting): VariableRow {
  const maxMs = (MAX_DURATION_MS as Partial<Record<string, number>>)[s.key];
  return {
    describe: maxMs === undefined ? s.describe : `${s.describe} (at most ${formatDuration(maxMs)})`,
    env: s.env,
    conffile: s.conffile,
    defaultText: defaultText(s),
  };
}

/** A default value in backticks, or in words what the absence of a value means. */
function defaultText(s: Setting): string {
  const value = DEFAULTS[s.key];
  if (value === undefined) return UNSET_MEANING[s.key] ?? "none";
  if (Array.isArray(value)) return value.length === 0 ? "none" : `\`${value.join(", ")}\``;
  if (s.key.endsWith("Ms")) return `\`${formatDuration(value as number)}\``;
  if (s.key === "kafkaBufferBytes") return `\`${formatBytes(value as number)}\``;
  return `\`${String(value)}\``;
}
