/**
 * The words a boolean setting accepts. Kept apart from the value parsers so that code running
 * before the configuration (loader mode's AMPPILOT_STANDALONE check) reads them the same way
 * without loading the configuration.
 *
 * @module
 */

const TRUE_WORDS = new Set(["true", "1", "yes", "on"]);
const FALSE_WORDS = new Set(["false", "0", "no", "off"]);

/** `true/false/1/0/yes/no/on/off` in any case; `undefined` for anything else. */
export function parseBoolWord(text: string): boolean | undefined {
  const word = text.trim().toLowerCase();
  return TRUE_WORDS.has(word) ? true : FALSE_WORDS.has(word) ? false : undefined;
}
