/**
 * Commands are never run through a shell: a `$VAR`, a `&&` or a `>` written in one reaches the
 * program as it is. A command holding such words gets a warning, unless it runs a shell itself.
 *
 * @module
 */

import { redactValue } from "./redact.ts";

/** A word that only a shell gives meaning to. */
const SHELL_WORD = /^(\|\|?|&&?|;;?|\d?>>?(&\d)?|<|&>)$/;

/** Shell syntax inside a word: an expansion or a command substitution. */
const SHELL_SYNTAX = /\$([A-Za-z_{(])|`/;

/** Programs that are shells: their `-c` script is theirs to expand. */
const SHELLS = /^(.*\/)?(sh|bash|ash|dash|zsh|ksh|busybox)$/;

/**
 * The warning for a command that looks written for a shell, or undefined.
 *
 * @param origin Where the command came from (a variable or conffile key).
 * @param argv The command as it will be run.
 */
export function shellSyntaxWarning(origin: string, argv: readonly string[]): string | undefined {
  if (argv[0] !== undefined && SHELLS.test(argv[0])) return undefined;
  const words = argv.filter((word) => SHELL_WORD.test(word) || SHELL_SYNTAX.test(word));
  if (words.length === 0) return undefined;
  const shown = words.slice(0, 3).map((word) => redactValue("cmd", word));
  return `${origin}: ${shown.join(", ")}${words.length > 3 ? ", …" : ""} reach the program as ` +
    "written: no shell is involved; write sh -c '…' to use one";
}
