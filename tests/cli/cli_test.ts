import { deepEqual, equal } from "node:assert/strict";
import { PILOT_ENTRY } from "../support/entry.ts";
import { BROKEN_PIPE_EXIT_CODE, INTERNAL_ERROR_EXIT_CODE, runCli } from "../../src/cli/cli.ts";

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

Deno.test("runCli() exits 141 without a word when the output's reader is gone", async () => {
  const written: string[] = [];
  const code = await runCli(["version"], {
    env: {},
    out: () => {
      throw new Deno.errors.BrokenPipe("Broken pipe (os error 32)");
    },
    err: (text) => written.push(text),
  });
  equal(code, BROKEN_PIPE_EXIT_CODE);
  deepEqual(written, []);
});

Deno.test("a real amp-pilot --help piped into a reader that left exits 141, saying nothing", async () => {
  // The reader (true) has exited well before the pilot writes; the pilot's status goes to stderr.
  const { code, stderr } = await new Deno.Command("sh", {
    args: [
      "-c",
      `(sleep 0.5; "${Deno.execPath()}" run --allow-all --frozen "${PILOT_ENTRY}" --help; ` +
      'echo "exit $?" >&2) | true',
    ],
    stderr: "piped",
    stdout: "null",
  }).output();
  equal(code, 0);
  equal(new TextDecoder().decode(stderr), "exit 141\n", "no internal error, no stack trace");
});
