import { ok } from "node:assert/strict";
import { reportRows, settingsReference } from "../../src/cli/check_report.ts";
import { loadConfig } from "../../src/config/load.ts";
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

Deno.test("check shows the telemetry address and the startup timeout as values, unset as -", async () => {
  const value = async (env: Record<string, string>, key: string) =>
    reportRows(await loadConfig({ env: { AMPPILOT_LAUNCH_CMD: "true", ...env } }))
      .find((r) => r.key === key)?.value;
  ok(await value({ AMPPILOT_TELEMETRY: "[::]:9102" }, "telemetry") === "[::]:9102");
  ok(await value({ AMPPILOT_STARTUPTIMEOUT: "90" }, "startupTimeoutMs") === "1m30s");
  ok(await value({}, "telemetry") === "-");
  ok(await value({}, "startupTimeoutMs") === "-");
});
