import { deepEqual, equal } from "node:assert/strict";
import { INTERNAL_ERROR_EXIT_CODE, runCli } from "../../src/cli/cli.ts";

Deno.test("runCli() turns a defect into one line and exit 70, never a stack trace", async () => {
  const written: string[] = [];
  const code = await runCli(["version"], {
    env: {},
    out: () => {
      throw new TypeError("Cannot read properties of null (reading 'health')\n    at somewhere");
    },
    err: (text) => written.push(text),
  });
  equal(code, INTERNAL_ERROR_EXIT_CODE);
  deepEqual(written, [
    "amp-pilot: internal error (please report it): TypeError: Cannot read properties of null " +
    "(reading 'health')\n",
  ]);
});
