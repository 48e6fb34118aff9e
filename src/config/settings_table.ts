/**
 * The README's settings table, made from the variables table ({@linkcode variableRows}), and the
 * block of a Markdown file that holds it, so that a check can tell when the README drifted.
 *
 * @module
 */

import { variableRows } from "./variables.ts";

/** The line that opens the generated block in a Markdown file. */
export const TABLE_START =
  "<!-- settings-table: made by `deno task settings-table --write README.md`; do not edit -->";
/** The line that closes it. */
export const TABLE_END = "<!-- /settings-table -->";

const HEADER = ["setting", "environment (aliases)", "conffile key (aliases)", "default"];

/** The settings table in Markdown, its columns padded as `deno fmt` pads them. */
export function settingsTableMarkdown(): string {
  const code = (names: readonly string[]) =>
    names.length === 0 ? "—" : names.map((name) => `\`${name}\``).join(", ");
  const rows = variableRows().map((row) => [
    row.describe,
    code(row.env),
    code(row.conffile),
    row.defaultText,
  ]);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(HEADER), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/**
 * `text` with the block between {@linkcode TABLE_START} and {@linkcode TABLE_END} replaced by
 * `table`, or undefined when the markers are missing.
 */
export function replaceTableBlock(text: string, table: string): string | undefined {
  const start = text.indexOf(TABLE_START);
  const end = text.indexOf(TABLE_END, start);
  if (start < 0 || end < 0) return undefined;
  return `${text.slice(0, start)}${TABLE_START}\n\n${table}\n\n${text.slice(end)}`;
}
