import { deepEqual, equal } from "node:assert/strict";
import { parseCommandLine } from "../../src/cli/args.ts";

Deno.test("parseCommandLine() runs by default and keeps the mate's argv intact", () => {
  deepEqual(parseCommandLine([]), { kind: "command", command: "run", mateArgs: [], json: false });
  deepEqual(parseCommandLine(["--", "app", "--help", "-x", "--", "a b"]), {
    kind: "command",
    command: "run",
    mateArgs: ["app", "--help", "-x", "--", "a b"],
    json: false,
  });
  deepEqual(parseCommandLine(["run", "--", "app"]), {
    kind: "command",
    command: "run",
    mateArgs: ["app"],
    json: false,
  });
});

Deno.test("parseCommandLine() reads check, check --json, version and -V", () => {
  deepEqual(parseCommandLine(["check", "--json", "--", "x"]), {
    kind: "command",
    command: "check",
    mateArgs: ["x"],
    json: true,
  });
  equal((parseCommandLine(["version"]) as { command: string }).command, "version");
  equal((parseCommandLine(["-V"]) as { command: string }).command, "version");
});

Deno.test("parseCommandLine() gives help for each command", () => {
  deepEqual(parseCommandLine(["--help"]), { kind: "help", command: undefined });
  deepEqual(parseCommandLine(["-h"]), { kind: "help", command: undefined });
  deepEqual(parseCommandLine(["check", "--help"]), { kind: "help", command: "check" });
  deepEqual(parseCommandLine(["run", "-h"]), { kind: "help", command: "run" });
  deepEqual(parseCommandLine(["help", "version"]), { kind: "help", command: "version" });
});

Deno.test("parseCommandLine() rejects unknown commands, flags and stray arguments", () => {
  deepEqual(parseCommandLine(["start"]), {
    kind: "error",
    message: 'unknown command "start"',
    command: undefined,
  });
  const flag = parseCommandLine(["run", "--verbose"]);
  equal(flag.kind, "error");
  equal((flag as { message: string }).message, "unknown option '--verbose'");
  const json = parseCommandLine(["run", "--json"]);
  equal((json as { message: string }).message, "--json is an option of check only");
  const stray = parseCommandLine(["check", "app"]);
  equal(
    (stray as { message: string }).message,
    'unexpected argument "app"; put the mate\'s command after --',
  );
  equal(parseCommandLine(["version", "--", "x"]).kind, "error");
});
