import { deepEqual, throws } from "node:assert/strict";
import { ShellWordsError, splitShellWords } from "../../src/config/shell_words.ts";

Deno.test("splitShellWords() splits on blanks and keeps quoted text together", () => {
  deepEqual(splitShellWords("  a  b\tc\n"), ["a", "b", "c"]);
  deepEqual(splitShellWords(`'a b' "c d" e`), ["a b", "c d", "e"]);
  deepEqual(splitShellWords(`a'b'"c"d`), ["abcd"]);
  deepEqual(splitShellWords(`'' ""`), ["", ""]);
  deepEqual(splitShellWords(""), []);
});

Deno.test("splitShellWords() applies backslash rules inside and outside double quotes", () => {
  deepEqual(splitShellWords(`a\\ b`), ["a b"]);
  deepEqual(splitShellWords(`"a\\"b"`), [`a"b`]);
  deepEqual(splitShellWords(`"a\\nb"`), ["a\\nb"]);
  deepEqual(splitShellWords(`'a\\b'`), ["a\\b"]);
  deepEqual(splitShellWords("a\\\nb"), ["ab"]);
});

Deno.test("splitShellWords() expands nothing", () => {
  deepEqual(splitShellWords("echo $HOME ~ * `x`"), ["echo", "$HOME", "~", "*", "`x`"]);
});

Deno.test("splitShellWords() rejects unterminated quotes and a trailing backslash", () => {
  throws(() => splitShellWords(`a 'b`), ShellWordsError);
  throws(() => splitShellWords(`a "b`), /unterminated double quote at character 3/);
  throws(() => splitShellWords(`a \\`), /trailing backslash/);
});
