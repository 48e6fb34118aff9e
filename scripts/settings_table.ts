// deno-lint-ignore-file no-console -- a command-line script that prints what it makes
/**
 * `deno task settings-table`: prints the README's settings table, made from the variables table;
 * `--write FILE` puts it between the markers of FILE, `--check FILE` exits 1 when FILE's block
 * differs (or has no markers).
 *
 * @module
 */

import {
  replaceTableBlock,
  settingsTableMarkdown,
  TABLE_END,
  TABLE_START,
} from "../src/config/settings_table.ts";

/**
 * Runs the task; returns its exit code.
 *
 * @param say Where its messages go (default: stderr).
 */
export async function main(
  args: readonly string[],
  say: (line: string) => void = (line) => say(line),
): Promise<number> {
  const table = settingsTableMarkdown();
  const [mode, file] = args;
  if (mode === undefined) {
    console.log(table);
    return 0;
  }
  if ((mode !== "--write" && mode !== "--check") || file === undefined) {
    say("usage: deno task settings-table [--write FILE | --check FILE]");
    return 2;
  }
  const text = await Deno.readTextFile(file);
  const updated = replaceTableBlock(text, table);
  if (updated === undefined) {
    say(`${file}: no settings table block; put these two lines where it goes:`);
    say(`${TABLE_START}\n${TABLE_END}`);
    return 1;
  }
  if (mode === "--write") {
    if (updated !== text) await Deno.writeTextFile(file, updated);
    return 0;
  }
  if (updated === text) return 0;
  say(`${file}: the settings table is out of date; run deno task settings-table --write`);
  return 1;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
