/**
 * Parses the command line with `node:util` `parseArgs`.
 *
 * @module
 */

/** The sub-commands of amp-pilot. */
export type CommandName = "run" | "check" | "health" | "version" | "graph";

/** A parsed command line. */
export type ParsedArgs =
  | {
    /** Run a sub-command. */
    readonly kind: "command";
    /** Which one. */
    readonly command: CommandName;
    /** The mate's argv, given after `--`. */
    readonly mateArgs: readonly string[];
    /** `check --json`: print the configuration as JSON. */
    readonly json: boolean;
    /** `graph --dot` / `graph --mermaid`: the graph's format (`text` otherwise). */
    readonly graphFormat?: "text" | "dot" | "mermaid";
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

const COMMANDS: readonly CommandName[] = ["run", "check", "health", "version", "graph"];

/** The pilot's own flags. */
interface Flags {
  help?: boolean;
  json?: boolean;
  version?: boolean;
  dot?: boolean;
  mermaid?: boolean;
}

/**
 * Parses `argv` (without the program name): `[command] [flags] [-- mate argv…]`.
 *
 * @param argv The arguments.
 */
export async function parseCommandLine(argv: readonly string[]): Promise<ParsedArgs> {
  const terminator = argv.indexOf("--");
  const own = terminator < 0 ? [...argv] : argv.slice(0, terminator);
  const mateArgs = terminator < 0 ? [] : argv.slice(terminator + 1);

  let command: CommandName | undefined;
  if (own[0] !== undefined && !own[0].startsWith("-")) {
    const word = own.shift()!;
    if (word === "help") return { kind: "help", command: asCommand(own[0]) };
    if (!COMMANDS.includes(word as CommandName)) {
      return { kind: "error", message: `unknown command "${word}"`, command: undefined };
    }
    command = word as CommandName;
  }

  let values: Flags;
  let positionals: string[];
  try {
    ({ values, positionals } = await parseFlags(own));
  } catch (e) {
    return { kind: "error", message: describeParseError(e), command };
  }
  if (values.help) return { kind: "help", command };
  if (values.json && command !== "check") {
    return { kind: "error", message: "--json is an option of check only", command };
  }
  if ((values.dot || values.mermaid) && command !== "graph") {
    return { kind: "error", message: "--dot and --mermaid are options of graph only", command };
  }
  if (values.dot && values.mermaid) {
    return { kind: "error", message: "give --dot or --mermaid, not both", command };
  }
  if (values.version && command === undefined) command = "version";
  if (positionals.length > 0) {
    return {
      kind: "error",
      message: `unexpected argument "${positionals[0]}"; put the mate's command after --`,
      command,
    };
  }
  if (
    mateArgs.length > 0 && (command === "version" || command === "health" || command === "graph")
  ) {
    return { kind: "error", message: `${command} takes no command after --`, command };
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

/**
 * Node's compatibility layer costs 7-13 ms of startup: `amp-pilot -- app` has no flags to parse
 * and does not load it.
 */
async function parseFlags(args: string[]): Promise<{ values: Flags; positionals: string[] }> {
  if (args.length === 0) return { values: {}, positionals: [] };
  const { parseArgs } = await import("node:util");
  return parseArgs({
    args,
    options: {
      help: { type: "boolean", short: "h" },
      version: { type: "boolean", short: "V" },
      json: { type: "boolean" },
      dot: { type: "boolean" },
      mermaid: { type: "boolean" },
    },
    allowPositionals: true,
    strict: true,
  });
}

function asCommand(word: string | undefined): CommandName | undefined {
  return COMMANDS.includes(word as CommandName) ? word as CommandName : undefined;
}

/** Node's messages suggest `--` for options it does not know; here `--` starts the mate's argv. */
function describeParseError(e: unknown): string {
  const message = (e as Error).message.split("\n")[0]!;
  const option = /^Unknown option '([^']+)'/.exec(message);
  if (option) return `unknown option '${option[1]}'`;
  return message;
}
