/**
 * Parses the command line: `amp-pilot [command] [options] [--] [mate argv…]`. The mate's argv
 * starts at `--` or at the first argument that is neither the command nor an option, as with
 * tini: `amp-pilot /app --flag` runs `/app --flag`. Options are read as `node:util` `parseArgs`
 * reads them (flags.ts).
 *
 * @module
 */

import { type FlagSpec, parseFlags } from "./flags.ts";

/** The sub-commands of amp-pilot. */
export type CommandName =
  | "run"
  | "check"
  | "health"
  | "status"
  | "maintenance"
  | "graph"
  | "version";

/** A parsed command line. */
export type ParsedArgs =
  | {
    /** Run a sub-command. */
    readonly kind: "command";
    /** Which one. */
    readonly command: CommandName;
    /** The mate's argv, given after `--` or in place of a command. */
    readonly mateArgs: readonly string[];
    /** `check --json`, `status --json`: print JSON. */
    readonly json: boolean;
    /** `graph --dot` / `graph --mermaid`: the graph's format (`text` otherwise). */
    readonly graphFormat?: "text" | "dot" | "mermaid";
    /** The command's own words (`maintenance on "reason"`); absent for the others. */
    readonly words?: readonly string[];
  }
  | {
    /** Print the help of a sub-command (or the general help). */
    readonly kind: "help";
    /** Which one; `undefined` for the general help. */
    readonly command: CommandName | undefined;
  }
  | {
    /** The command line is wrong. */
    readonly kind: "error";
    /** What is wrong. */
    readonly message: string;
    /** The sub-command whose usage applies. */
    readonly command: CommandName | undefined;
  };

const COMMANDS: readonly CommandName[] = [
  "run",
  "check",
  "health",
  "status",
  "maintenance",
  "graph",
  "version",
];

/** Commands that take `--json`. */
const TAKES_JSON: readonly CommandName[] = ["check", "status"];

/**
 * Words that are amp-pilot's commands: a first argument equal to one of them is never taken for
 * the mate (a mate of that name needs `--`).
 */
export const COMMAND_WORDS: readonly string[] = [
  ...COMMANDS,
  "help",
];

/** Commands whose mate argv may start at their first positional argument. */
const TAKES_MATE: readonly CommandName[] = ["run", "check"];

/** The pilot's own flags. */
export const PILOT_FLAGS: readonly FlagSpec[] = [
  { name: "help", short: "h" },
  { name: "version", short: "V" },
  { name: "json" },
  { name: "dot" },
  { name: "mermaid" },
];

/**
 * Parses `argv` (without the program name).
 *
 * @param argv The arguments.
 */
export function parseCommandLine(argv: readonly string[]): ParsedArgs {
  const first = argv[0];
  let command: CommandName | undefined;
  let rest = argv;
  if (first !== undefined && first !== "--" && !first.startsWith("-")) {
    if (!COMMAND_WORDS.includes(first)) return runMate(argv);
    if (first === "help") return { kind: "help", command: asCommand(argv[1]) };
    command = first as CommandName;
    rest = argv.slice(1);
  }

  const { own, mateArgs } = splitMateArgs(rest, command);
  const flags = parseFlags(own, PILOT_FLAGS);
  if ("error" in flags) return { kind: "error", message: flags.error, command };
  const { values, positionals } = flags;
  if (values.help) return { kind: "help", command };
  if (values.json && !TAKES_JSON.includes(command as CommandName)) {
    return { kind: "error", message: "--json is an option of check and status only", command };
  }
  if ((values.dot || values.mermaid) && command !== "graph") {
    return { kind: "error", message: "--dot and --mermaid are options of graph only", command };
  }
  if (values.dot && values.mermaid) {
    return { kind: "error", message: "give --dot or --mermaid, not both", command };
  }
  if (values.version && command === undefined) command = "version";
  if (
    mateArgs.length > 0 && !TAKES_MATE.includes(command as CommandName) && command !== undefined
  ) {
    return { kind: "error", message: `${command} takes no command to run`, command };
  }
  if (command === "maintenance") return maintenanceWords(positionals);
  if (positionals.length > 0) {
    return { kind: "error", message: `unexpected argument "${positionals[0]}"`, command };
  }
  const graphFormat = values.dot ? "dot" : values.mermaid ? "mermaid" : "text";
  return {
    kind: "command",
    command: command ?? "run",
    mateArgs,
    json: values.json ?? false,
    ...(command === "graph" ? { graphFormat } : {}),
  };
}

/** `maintenance on [reason…]` or `maintenance off`. */
function maintenanceWords(words: readonly string[]): ParsedArgs {
  const [mode, ...reason] = words;
  if ((mode === "on") || (mode === "off" && reason.length === 0)) {
    return { kind: "command", command: "maintenance", mateArgs: [], json: false, words };
  }
  return {
    kind: "error",
    message: mode === "off"
      ? "maintenance off takes no reason"
      : "expected maintenance on [reason] or maintenance off",
    command: "maintenance",
  };
}

/** `amp-pilot /app --flag`: the whole command line is the mate's. */
function runMate(argv: readonly string[]): ParsedArgs {
  return { kind: "command", command: "run", mateArgs: [...argv], json: false };
}

/**
 * Splits the pilot's options from the mate's argv. The mate's argv starts after `--`, or, for a
 * command that runs a mate (and for no command), at the first argument that is not an option.
 */
function splitMateArgs(
  args: readonly string[],
  command: CommandName | undefined,
): { own: string[]; mateArgs: string[] } {
  const positionalStartsMate = command === undefined || TAKES_MATE.includes(command);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") return { own: args.slice(0, i), mateArgs: args.slice(i + 1) };
    if (positionalStartsMate && !arg.startsWith("-")) {
      return { own: args.slice(0, i), mateArgs: args.slice(i) };
    }
  }
  return { own: [...args], mateArgs: [] };
}

function asCommand(word: string | undefined): CommandName | undefined {
  return COMMANDS.includes(word as CommandName) ? word as CommandName : undefined;
}
