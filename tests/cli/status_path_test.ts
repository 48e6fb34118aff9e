import { deepEqual, equal } from "node:assert/strict";
import { STATUS_CONFFILE_ENV, statusFilePath } from "../../src/cli/status_path.ts";
import { CONFFILE_ENV } from "../../src/config/settings.ts";
import { DEFAULT_STATUS_FILE } from "../../src/runtime/status_file.ts";
import { tempDir } from "../support/pilot.ts";

Deno.test("statusFilePath() finds the file as run does: variable, conffile, default", async () => {
  equal(STATUS_CONFFILE_ENV, CONFFILE_ENV);
  await using dir = await tempDir();
  const conffile = `${dir.path}/pilot.json`;
  await Deno.writeTextFile(conffile, '\uFEFF{"STATUSFILE": "/run/pilot.json"}');
  deepEqual(await statusFilePath({ AMPPILOT_CONFFILE: conffile }), { path: "/run/pilot.json" });
  deepEqual(
    await statusFilePath({ AMPPILOT_CONFFILE: conffile, AMPPILOT_STATUSFILE: "/x.json" }),
    { path: "/x.json" },
  );
  deepEqual(
    await statusFilePath({ AMPPILOT_CONFFILE: conffile, AMPPILOT_STATUSFILE: "" }),
    { path: "/run/pilot.json" },
  );
  deepEqual(await statusFilePath({}), { path: DEFAULT_STATUS_FILE });
  await Deno.writeTextFile(conffile, '{"Consul": "consul:8500"}');
  deepEqual(await statusFilePath({ AMPPILOT_CONFFILE: conffile }), { path: DEFAULT_STATUS_FILE });
  await Deno.writeTextFile(conffile, "{ not json");
  deepEqual(await statusFilePath({ AMPPILOT_CONFFILE: conffile }), {
    path: DEFAULT_STATUS_FILE,
    note: "AMPPILOT_CONFFILE cannot be read as JSON; used the default status file",
  });
});
