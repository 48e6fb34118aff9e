/**
 * Splits a command line into words the way a POSIX shell does, without running a shell.
 *
 * @module
 */

/** Why a command line could not be split. */
export class ShellWordsError extends SyntaxError {
  /** Creates the error with a message naming the problem. */
  constructor(message: string) {
    super(message);
    this.name = "ShellWordsError";
  }
}

const DOUBLE_QUOTE_ESCAPABLE = new Set(["$", "`", '"', "\\", "\n"]);

/**
 * Splits `line` into words: blanks separate words, single quotes keep everything literally,
 * double quotes keep everything but `\` before `$`, `` ` ``, `"`, `\` and newline, and a
 * backslash outside quotes escapes the next character. No expansion of any kind happens
 * (`$HOME`, `*` and `~` stay as written).
 *
 * @example Quotes and escapes
 * ```ts
 * import { splitShellWords } from "./shell_words.ts";
 * splitShellWords(`sh -c 'echo "hi there"' a\\ b`); // ["sh", "-c", `echo "hi there"`, "a b"]
 * ```
 *
 * @param line The command line.
 * @returns The words, possibly empty.
 * @throws {ShellWordsError} When a quote is not closed or the line ends with a lone backslash.
 */
export function splitShellWords(line: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
      i++;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new ShellWordsError(`unterminated single quote at character ${i + 1}`);
      word += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      const [text, next] = readDoubleQuoted(line, i);
      word += text;
      inWord = true;
      i = next;
    } else if (c === "\\") {
      if (i + 1 >= line.length) throw new ShellWordsError("trailing backslash at the end");
      if (line[i + 1] !== "\n") word += line[i + 1];
      inWord = true;
      i += 2;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}

function readDoubleQuoted(line: string, start: number): [string, number] {
  let text = "";
  let i = start + 1;
  while (i < line.length) {
    const c = line[i]!;
    if (c === '"') return [text, i + 1];
    if (c === "\\" && i + 1 < line.length && DOUBLE_QUOTE_ESCAPABLE.has(line[i + 1]!)) {
      if (line[i + 1] !== "\n") text += line[i + 1];
      i += 2;
    } else {
      text += c;
      i++;
    }
  }
  throw new ShellWordsError(`unterminated double quote at character ${start + 1}`);
}
