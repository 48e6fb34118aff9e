import { ok } from "node:assert/strict";
import { settingsReference } from "../../src/cli/check_report.ts";
import { SETTINGS } from "../../src/config/settings.ts";
import { variableRows } from "../../src/config/variables.ts";

Deno.test("check --help lists every variable and conffile key of the variables table", () => {
  const help = settingsReference();
  const words = new Set(help.split(/[\s,;]+/));
  for (const row of variableRows()) {
    ok(help.includes(row.describe), row.describe);
    for (const name of row.env) ok(words.has(name), `${name} missing from:\n${help}`);
    for (const key of row.conffile) ok(words.has(`"${key}"`), key);
  }
  ok(variableRows().length > SETTINGS.length);
});
