import { equal, ok } from "node:assert/strict";
import {
  replaceTableBlock,
  settingsTableMarkdown,
  TABLE_END,
  TABLE_START,
} from "../../src/config/settings_table.ts";
import { SETTINGS } from "../../src/config/settings.ts";
import { knownVariables, variableRows } from "../../src/config/variables.ts";
import { main } from "../../scripts/settings_table.ts";

Deno.test("the settings table has a row per setting, every variable and every conffile key", () => {
  const table = settingsTableMarkdown();
  equal(table.split("\n").length, variableRows().length + 2);
  for (const name of knownVariables()) ok(table.includes(`\`${name}\``), name);
  for (const key of SETTINGS.flatMap((s) => s.conffile)) ok(table.includes(`\`${key}\``), key);
});

Deno.test("the settings table is as deno fmt formats it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/table.md`;
    await Deno.writeTextFile(file, `${settingsTableMarkdown()}\n`);
    const fmt = await new Deno.Command(Deno.execPath(), {
      args: ["fmt", "--check", file],
      stdout: "piped",
      stderr: "piped",
    }).output();
    equal(fmt.code, 0, new TextDecoder().decode(fmt.stderr));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task settings-table --write fills a README's block, --check sees it drift", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/README.md`;
    const said: string[] = [];
    const task = (args: string[]) => main(args, (line) => said.push(line));
    const readme = (block: string) =>
      `# x\n\n${TABLE_START}\n\n${block}\n\n${TABLE_END}\n\nafter\n`;
    await Deno.writeTextFile(file, readme("| old |"));
    equal(await task(["--check", file]), 1);
    equal(await task(["--write", file]), 0);
    equal(await Deno.readTextFile(file), readme(settingsTableMarkdown()));
    equal(await task(["--check", file]), 0);
    await Deno.writeTextFile(file, "# no block\n");
    equal(await task(["--check", file]), 1);
    equal(replaceTableBlock("# no block\n", "t"), undefined);
    ok(
      said[0]!.endsWith("the settings table is out of date; run deno task settings-table --write"),
    );
    ok(said[1]!.endsWith("no settings table block; put these two lines where it goes:"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
