/**
 * Boolean flags as `node:util` `parseArgs({ strict: true, allowPositionals: true })` reads them
 * (issue #14: loading Node's compatibility layer for five flags cost start-up time and memory):
 * `--name`, `-n`, short groups `-hV`, `--` ends the options, `-` alone is a positional argument.
 * Errors are the words amp-pilot printed with `parseArgs`: `unknown option '--x'` (Node's hint to
 * put such an argument after `--` does not apply: there `--` starts the mate's argv), and Node's
 * `Option '--json' does not take an argument`.
 *
 * @module
 */

/** A boolean flag: its long name and, optionally, one character for the short form. */
export interface FlagSpec {
  /** Long name, without `--`. */
  readonly name: string;
  /** Short form, without `-`. */
  readonly short?: string;
}

/** What {@linkcode parseFlags} read, or the first thing it could not. */
export type FlagsResult =
  | { readonly values: Record<string, true>; readonly positionals: string[] }
  | { readonly error: string };

/**
 * Reads `args` against `specs`; the first unknown flag, or a flag given a value (`--json=1`),
 * is an error.
 *
 * @param args The arguments.
 * @param specs The flags there are.
 */
export function parseFlags(args: readonly string[], specs: readonly FlagSpec[]): FlagsResult {
  const values: Record<string, true> = {};
  const positionals: string[] = [];
  const tokens = [...args];
  for (let i = 0; i < tokens.length; i++) {
    const arg = tokens[i]!;
    if (arg === "--") {
      positionals.push(...tokens.slice(i + 1));
      break;
    }
    if (arg.length < 2 || arg[0] !== "-") {
      positionals.push(arg);
    } else if (arg[1] !== "-" && arg.length > 2) {
      // A short group: each character is a flag of its own (a `-` among them ends the options).
      tokens.splice(i + 1, 0, ...arg.slice(1).split("").map((c) => `-${c}`));
    } else {
      const problem = readFlag(arg, specs, values);
      if (problem) return { error: problem };
    }
  }
  return { values, positionals };
}

/** Sets the flag `arg` names (`-h`, `--help`), or says why it cannot. */
function readFlag(
  arg: string,
  specs: readonly FlagSpec[],
  values: Record<string, true>,
): string | undefined {
  const long = arg[1] === "-";
  // As Node: a value needs an `=` after the third character (`--=x` is a flag named `=x`), and
  // the name then ends at the first `=` (`--==` names the empty flag).
  const equals = long && arg.indexOf("=", 3) !== -1 ? arg.indexOf("=") : -1;
  const name = arg.slice(long ? 2 : 1, equals === -1 ? undefined : equals);
  const spec = specs.find((s) => long ? s.name === name : s.short === name);
  if (!spec) return `unknown option '${long ? "--" : "-"}${name}'`;
  if (equals !== -1) {
    const forms = spec.short ? `-${spec.short}, --${spec.name}` : `--${spec.name}`;
    return `Option '${forms}' does not take an argument`;
  }
  values[spec.name] = true;
  return undefined;
}
