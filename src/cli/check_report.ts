/**
 * What `amp-pilot check` prints: each effective value and where it came from, secrets redacted.
 *
 * @module
 */

import type { LoadedConfig, Provenance } from "../config/load.ts";
import { REDACTED } from "../config/redact.ts";
import { SETTINGS } from "../config/settings.ts";
import { variableRows } from "../config/variables.ts";
import { formatBytes } from "../config/values.ts";
import { formatDuration } from "../config/values.ts";
import { showConsulAddress, showListenAddress } from "../runtime/start_line.ts";
import type { PilotConfig } from "../config/types.ts";

/** One row of the report. */
export interface ReportRow {
  /** Field of the configuration. */
  readonly key: keyof PilotConfig;
  /** What the setting is. */
  readonly describe: string;
  /** The value as shown to a user (`-` when unset). */
  readonly value: string;
  /** Where it came from. */
  readonly source: string;
}

const ROWS: readonly { key: keyof PilotConfig; describe: string }[] = [
  ...SETTINGS.map((s) => ({ key: s.key, describe: s.describe })),
  { key: "consulToken", describe: "Consul ACL token" },
  { key: "consulTls", describe: "Consul TLS (CA, client certificate)" },
  { key: "kafkaSecurity", describe: "Kafka TLS and SASL login" },
];

/** Builds the rows of the report. */
export function reportRows(loaded: LoadedConfig): ReportRow[] {
  return ROWS.map(({ key, describe }) => ({
    key,
    describe,
    value: showValue(key, loaded.config),
    source: showSource(loaded.sources[key]),
  }));
}

/** The report as an aligned text table. */
export function formatReport(loaded: LoadedConfig, version: string): string {
  const rows = reportRows(loaded);
  const width = (pick: (r: ReportRow) => string) => Math.max(...rows.map((r) => pick(r).length));
  const w1 = width((r) => r.describe);
  const w2 = Math.min(60, width((r) => r.value));
  const mode = loaded.config.consul ? "Consul mode" : "direct mode (no Consul address)";
  const lines = rows.map((r) =>
    `  ${r.describe.padEnd(w1)}  ${r.value.padEnd(w2)}  ${r.source}`.trimEnd()
  );
  return [`amp-pilot ${version}: configuration is valid; ${mode}`, ...lines].join("\n");
}

/** The report as one JSON object: `{ key: { value, source } }`. */
export function reportJson(loaded: LoadedConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of ROWS.map((r) => r.key)) {
    const value = key === "consulToken"
      ? (loaded.config.consulToken ? REDACTED : undefined)
      : key === "consulTls" || key === "kafkaSecurity"
      ? (loaded.config[key] ? showValue(key, loaded.config) : undefined)
      : loaded.config[key];
    out[key] = { value: value ?? null, source: loaded.sources[key] ?? null };
  }
  return out;
}

function showSource(p: Provenance | undefined): string {
  if (!p) return "";
  if (!p.origin) return p.source;
  return p.origin.startsWith(`${p.source} `) ? p.origin : `${p.source}: ${p.origin}`;
}

function showValue(key: keyof PilotConfig, c: PilotConfig): string {
  switch (key) {
    case "consulToken":
      return c.consulToken ? REDACTED : "-";
    case "consulTls":
      return !c.consulTls ? "-" : [
        ...(c.consulTls.caCerts.length > 0 ? ["CA"] : []),
        ...(c.consulTls.cert ? ["client certificate and key"] : []),
      ].join(", ") || "-";
    case "kafkaSecurity":
      return showKafkaSecurity(c.kafkaSecurity);
    case "consul":
      return c.consul ? showConsulAddress(c.consul) : "-";
    case "telemetry":
      return c.telemetry ? showListenAddress(c.telemetry) : "-";
    case "kafka":
      return !c.kafka
        ? "-"
        : c.kafka.kind === "brokers"
        ? `brokers ${c.kafka.brokers.join(",")}`
        : `zookeeper ${c.kafka.hosts.join(",")}${c.kafka.chroot === "/" ? "" : c.kafka.chroot}`;
    case "dependencies":
      return c.dependencies.length === 0 ? "-" : c.dependencies
        .map((d) => d.onlyAtStartup ? `${d.name} (only at startup)` : d.name)
        .join(", ");
    case "cmd":
    case "cmdReady":
      return c[key] ? JSON.stringify(c[key]) : "-";
    case "tags":
      return c.tags.length === 0 ? "-" : c.tags.join(", ");
    case "kafkaBufferBytes":
      return formatBytes(c.kafkaBufferBytes);
    default:
      if (key.endsWith("Ms")) {
        return c[key] === undefined ? "-" : formatDuration(c[key] as number);
      }
      return c[key] === undefined ? "-" : String(c[key]);
  }
}

const HELP_WIDTH = 100;
const NAMES_COLUMN = 46;

/** The settings reference printed by `check --help`: every row of the variables table. */
export function settingsReference(): string {
  const lines = variableRows().flatMap((row) => {
    const names = [...row.env, ...row.conffile.map((key) => `conffile "${key}"`)];
    const items = [
      ...names.map((name, i) => i < names.length - 1 ? `${name},` : `${name};`),
      `default: ${row.defaultText.replaceAll("`", "")}`,
    ];
    return wrapItems(`  ${row.describe}`, items);
  });
  return `Settings (environment variables, conffile keys, default):\n${lines.join("\n")}`;
}

/** `head` then the items, wrapped under the names column. */
function wrapItems(head: string, items: readonly string[]): string[] {
  const indent = " ".repeat(NAMES_COLUMN);
  const lines: string[] = [];
  let line = head.length < NAMES_COLUMN - 1 ? head.padEnd(NAMES_COLUMN) : `${head}\n${indent}`;
  let empty = true;
  for (const item of items) {
    const last = line.slice(line.lastIndexOf("\n") + 1);
    if (!empty && last.length + 1 + item.length > HELP_WIDTH) {
      lines.push(line);
      line = indent;
      empty = true;
    }
    line += empty ? item : ` ${item}`;
    empty = false;
  }
  lines.push(line);
  return lines;
}

/** TLS and SASL as a user reads them; the password is never shown. */
function showKafkaSecurity(security: PilotConfig["kafkaSecurity"]): string {
  if (!security) return "-";
  const { tls, sasl } = security;
  return [
    ...(tls ? [tls.caCerts.length > 0 ? "TLS (CA given)" : "TLS"] : []),
    ...(sasl ? [`SASL ${sasl.mechanism} as ${sasl.username}`] : []),
  ].join(", ") || "-";
}
