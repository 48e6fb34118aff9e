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

Deno.test("parseCommandLine() rejects unknown flags and stray arguments", async () => {
  const flag = await parseCommandLine(["run", "--verbose"]);
  equal(flag.kind, "error");
  equal((flag as { message: string }).message, "unknown option '--verbose'");
  const json = await parseCommandLine(["run", "--json"]);
  equal((json as { message: string }).message, "--json is an option of check and status only");
  const stray = await parseCommandLine(["health", "app"]);
  equal((stray as { message: string }).message, 'unexpected argument "app"');
  equal((await parseCommandLine(["version", "--", "x"])).kind, "error");
  equal(
    (await parseCommandLine(["-V", "app"]) as { message: string }).message,
    "version takes no command to run",
  );
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

Deno.test("parseCommandLine() takes a first argument that is no command for the mate, like tini", async () => {
  const run = (mateArgs: string[]) => ({ kind: "command", command: "run", mateArgs, json: false });
  deepEqual(await parseCommandLine(["/app", "--flag"]), run(["/app", "--flag"]));
  deepEqual(await parseCommandLine(["app"]), run(["app"]));
  // Everything from the mate's command on is the mate's: its --help, a later --, a command word.
  deepEqual(
    await parseCommandLine(["app", "--help", "--", "check", "-V"]),
    run(["app", "--help", "--", "check", "-V"]),
  );
  deepEqual(await parseCommandLine(["run", "app", "-x"]), run(["app", "-x"]));
  deepEqual(await parseCommandLine(["run", "--", "check"]), run(["check"]));
  deepEqual(await parseCommandLine(["--", "version"]), run(["version"]));
  deepEqual(await parseCommandLine(["check", "--json", "app", "--json"]), {
    kind: "command",
    command: "check",
    mateArgs: ["app", "--json"],
    json: true,
  });
});

Deno.test("parseCommandLine() keeps the pilot's options before the mate's command", async () => {
  deepEqual(await parseCommandLine(["-h", "app"]), { kind: "help", command: undefined });
  deepEqual(await parseCommandLine(["run", "--help", "app"]), { kind: "help", command: "run" });
  equal(
    (await parseCommandLine(["--json", "app"]) as { message: string }).message,
    "--json is an option of check and status only",
  );
  equal(
    (await parseCommandLine(["--verbose", "app"]) as { message: string }).message,
    "unknown option '--verbose'",
  );
});

Deno.test("parseCommandLine() never takes a command word for the mate", async () => {
  for (const word of ["run", "check", "health", "status", "maintenance", "graph", "version"]) {
    const parsed = await parseCommandLine([word]);
    equal((parsed as { command?: string }).command, word);
    equal((parsed as { mateArgs?: string[] }).mateArgs?.includes(word) ?? false, false);
  }
  deepEqual(await parseCommandLine(["help"]), { kind: "help", command: undefined });
  deepEqual(await parseCommandLine(["--", "status"]), {
    kind: "command",
    command: "run",
    mateArgs: ["status"],
    json: false,
  });
});

Deno.test("parseCommandLine() reads status [--json] and maintenance on [reason] / off", async () => {
  deepEqual(await parseCommandLine(["status", "--json"]), {
    kind: "command",
    command: "status",
    mateArgs: [],
    json: true,
  });
  deepEqual(await parseCommandLine(["maintenance", "on", "deploying", "v2"]), {
    kind: "command",
    command: "maintenance",
    mateArgs: [],
    json: false,
    words: ["on", "deploying", "v2"],
  });
  deepEqual(await parseCommandLine(["maintenance", "off"]), {
    kind: "command",
    command: "maintenance",
    mateArgs: [],
    json: false,
    words: ["off"],
  });
  const bad = await parseCommandLine(["maintenance", "maybe"]);
  equal(
    (bad as { message: string }).message,
    "expected maintenance on [reason] or maintenance off",
  );
  equal((await parseCommandLine(["maintenance"])).kind, "error");
  equal((await parseCommandLine(["maintenance", "off", "now"])).kind, "error");
  equal((await parseCommandLine(["status", "app"])).kind, "error");
  equal((await parseCommandLine(["maintenance", "on", "--", "x"])).kind, "error");
});
