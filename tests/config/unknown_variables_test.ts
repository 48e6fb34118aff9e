import { deepEqual, equal, ok } from "node:assert/strict";
import { unknownVariableWarnings } from "../../src/config/unknown_variables.ts";
import { ConfigError } from "../../src/config/errors.ts";
import { loadConfig } from "../../src/config/load.ts";

Deno.test("an AMPPILOT_* variable that is no setting gets one warning with the nearest name", () => {
  deepEqual(
    unknownVariableWarnings({
      AMPPILOT_CHEKPERIOD: "5",
      AMPPILOT_STOPTIMOUT: "",
      amppilot_loglevel: "debug",
      AMPPILOT_SOMETHING_ELSE: "x",
      AMPPILOT_CHECKPERIOD: "5",
      AMPPILOT_DB_ONLYATSTARTUP: "true",
      CONSUL: "consul",
      PATH: "/bin",
    }),
    [
      "AMPPILOT_CHEKPERIOD: not a setting; did you mean AMPPILOT_CHECKPERIOD?",
      "AMPPILOT_SOMETHING_ELSE: not a setting; see amp-pilot check --help",
      "AMPPILOT_STOPTIMOUT: not a setting; did you mean AMPPILOT_STOPTIMEOUT?",
      "amppilot_loglevel: not a setting; did you mean AMPPILOT_LOGLEVEL?",
    ],
  );
});

Deno.test("a misspelt secret variable is named, its value never shown", () => {
  const secret = "s3cr3t-kafka-pass";
  const warnings = unknownVariableWarnings({ AMPPILOT_KAFKA_PASWORD: secret });
  deepEqual(warnings, [
    "AMPPILOT_KAFKA_PASWORD: not a setting; did you mean AMPPILOT_KAFKA_PASSWORD?",
  ]);
});

Deno.test("loadConfig() warns of unknown variables, and gives them with a configuration error", async () => {
  const { warnings } = await loadConfig({
    env: { AMPPILOT_LAUNCH_CMD: "app", AMPPILOT_CHEKPERIOD: "5" },
  });
  deepEqual(warnings, ["AMPPILOT_CHEKPERIOD: not a setting; did you mean AMPPILOT_CHECKPERIOD?"]);
  try {
    await loadConfig({ env: { AMPPILOT_LAUNCH_CM: "app" } });
    ok(false, "expected a configuration error");
  } catch (e) {
    ok(e instanceof ConfigError);
    equal(e.problems.length, 1);
    deepEqual(e.warnings, [
      "AMPPILOT_LAUNCH_CM: not a setting; did you mean AMPPILOT_LAUNCH_CMD?",
    ]);
  }
});
