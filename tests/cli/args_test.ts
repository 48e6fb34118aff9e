import { deepEqual, equal } from "node:assert/strict";
import { parseCommandLine } from "../../src/cli/args.ts";

Deno.test("parseCommandLine() runs by default and keeps the mate's argv intact", async () => {
  deepEqual(await parseCommandLine([]), {
    kind: "command",
    command: "run",
    mateArgs: [],
    json: false,
  });
  deepEqual(await parseCommandLine(["--", "app", "--help", "-x", "--", "a b"]), {
    kind: "command",
    command: "run",
    mateArgs: ["app", "--help", "-x", "--", "a b"],
    json: false,
  });
  deepEqual(await parseCommandLine(["run", "--", "app"]), {
    kind: "command",
    command: "run",
    mateArgs: ["app"],
    json: false,
  });
});

Deno.test("parseCommandLine() reads check, check --json, version and -V", async () => {
  deepEqual(await parseCommandLine(["check", "--json", "--", "x"]), {
    kind: "command",
    command: "check",
    mateArgs: ["x"],
    json: true,
  });
  equal(((await parseCommandLine(["version"])) as { command: string }).command, "version");
  equal(((await parseCommandLine(["-V"])) as { command: string }).command, "version");
});

Deno.test("parseCommandLine() gives help for each command", async () => {
  deepEqual(await parseCommandLine(["--help"]), { kind: "help", command: undefined });
  deepEqual(await parseCommandLine(["-h"]), { kind: "help", command: undefined });
  deepEqual(await parseCommandLine(["check", "--help"]), { kind: "help", command: "check" });
  deepEqual(await parseCommandLine(["run", "-h"]), { kind: "help", command: "run" });
  deepEqual(await parseCommandLine(["help", "version"]), { kind: "help", command: "version" });
});

Deno.test("parseCommandLine() rejects unknown commands, flags and stray arguments", async () => {
  deepEqual(await parseCommandLine(["start"]), {
    kind: "error",
    message: 'unknown command "start"',
    command: undefined,
  });
  const flag = await parseCommandLine(["run", "--verbose"]);
  equal(flag.kind, "error");
  equal((flag as { message: string }).message, "unknown option '--verbose'");
  const json = await parseCommandLine(["run", "--json"]);
  equal((json as { message: string }).message, "--json is an option of check only");
  const stray = await parseCommandLine(["check", "app"]);
  equal(
    (stray as { message: string }).message,
    'unexpected argument "app"; put the mate\'s command after --',
  );
  equal((await parseCommandLine(["version", "--", "x"])).kind, "error");
});

Deno.test("parseCommandLine() reads a bare command before -- and a flag before --", async () => {
  deepEqual(await parseCommandLine(["run", "--"]), {
    kind: "command",
    command: "run",
    mateArgs: [],
    json: false,
  });
  deepEqual(await parseCommandLine(["-h", "--", "app"]), { kind: "help", command: undefined });
});
