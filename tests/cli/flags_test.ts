import { deepEqual } from "node:assert/strict";
import { parseArgs } from "node:util";
import fc from "fast-check";
import { parseFlags } from "../../src/cli/flags.ts";
import { parseCommandLine, PILOT_FLAGS } from "../../src/cli/args.ts";

/** What amp-pilot made of `node:util` `parseArgs` before flags.ts (the oracle). */
function withNode(args: string[]): unknown {
  try {
    const { values, positionals } = parseArgs({
      args,
      options: Object.fromEntries(
        PILOT_FLAGS.map((
          f,
        ) => [f.name, { type: "boolean" as const, ...(f.short ? { short: f.short } : {}) }]),
      ),
      allowPositionals: true,
      strict: true,
    });
    return { values: { ...values }, positionals };
  } catch (e) {
    const message = (e as Error).message.split("\n")[0]!;
    const option = /^Unknown option '([^']+)'/.exec(message);
    return { error: option ? `unknown option '${option[1]}'` : message };
  }
}

function withOurs(args: string[]): unknown {
  const result = parseFlags(args, PILOT_FLAGS);
  return "error" in result
    ? result
    : { values: { ...result.values }, positionals: result.positionals };
}

Deno.test("parseFlags() reads what node:util parseArgs read: values, --x=y, --, groups, errors", () => {
  const cases: string[][] = [
    ["--json"],
    ["-h"],
    ["-hV"],
    ["-Vh", "x"],
    ["-hh"],
    ["--help", "--help"],
    ["--verbose"],
    ["-x"],
    ["-hx"],
    ["-xh"],
    ["-Vfoo"],
    ["-json"],
    ["--json=1"],
    ["--json="],
    ["--help=x"],
    ["--version=true"],
    ["--verbose=1"],
    ["--x=1=2"],
    ["--="],
    ["--=="],
    ["--=x"],
    ["---x"],
    ["-="],
    ["-h=1"],
    ["--no-json"],
    ["--JSON"],
    ["--toString"],
    ["--__proto__"],
    ["-"],
    ["a", "-", "b"],
    ["on", "--json"],
    ["on", "-reason"],
    ["x", "--", "y", "--json"],
    ["--", "--verbose"],
    ["-h-", "--json"],
    ["-5"],
    ["-\u{1F600}"],
    ["--json=1", "--verbose"],
    ["--verbose", "--json=1"],
    [],
  ];
  for (const args of cases) deepEqual(withOurs(args), withNode(args), JSON.stringify(args));
});

Deno.test("parseFlags() agrees with node:util parseArgs on generated command lines", () => {
  const piece = fc.constantFrom("-", "--", "h", "V", "x", "=", "1", "json", "dot", "help", "é");
  const arg = fc.array(piece, { maxLength: 4 }).map((parts) => parts.join(""));
  fc.assert(
    fc.property(fc.array(arg, { maxLength: 5 }), (args) => {
      deepEqual(withOurs(args), withNode(args));
    }),
    { numRuns: 2000 },
  );
});

Deno.test("the command line keeps parseArgs' words for a flag given a value and an unknown flag", () => {
  deepEqual(parseCommandLine(["check", "--json=yes"]), {
    kind: "error",
    message: "Option '--json' does not take an argument",
    command: "check",
  });
  deepEqual(parseCommandLine(["status", "--jsn"]), {
    kind: "error",
    message: "unknown option '--jsn'",
    command: "status",
  });
  deepEqual(parseCommandLine(["--json", "--", "--json"]), {
    kind: "error",
    message: "--json is an option of check and status only",
    command: undefined,
  });
  deepEqual(parseCommandLine(["check", "--json", "--", "app", "--json"]), {
    kind: "command",
    command: "check",
    mateArgs: ["app", "--json"],
    json: true,
  });
});
