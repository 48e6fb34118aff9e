/**
 * Checks a secret (the Consul ACL token, the Kafka password) read from a variable or a file.
 * A problem names the variable and what is wrong, never the content: a stray newline or control
 * character would otherwise end in an HTTP header or a SASL message, and the error that such a
 * header raises quotes its value.
 *
 * @module
 */

/** The longest secret accepted, in UTF-8 bytes. */
export const MAX_SECRET_BYTES = 4096;

/** The outcome of a check: the secret as it will be used, or why it cannot be. */
export type SecretCheck =
  | { readonly ok: true; readonly value: string }
  | { readonly ok: false; readonly reason: string; readonly empty?: true };

/** What a secret may hold besides its text. */
export interface SecretRules {
  /** It goes in an HTTP header: printable ASCII only. */
  readonly asciiOnly: boolean;
  /** Surrounding blanks are removed (a token); a password keeps them. */
  readonly trim: boolean;
}

// C0 controls, DEL and C1 controls.
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const LINE_BREAK = /[\r\n]/;
const NOT_PRINTABLE_ASCII = /[^\x20-\x7e]/;

/**
 * Checks `text`: a byte-order mark and one trailing newline are removed (as `echo` and editors
 * leave them); a newline inside, a control character or more than 4 KiB is refused.
 */
export function checkSecret(text: string, rules: SecretRules): SecretCheck {
  const stripped = text.replace(/^\uFEFF/, "").replace(/\r?\n$/, "");
  if (new TextEncoder().encode(stripped).byteLength > MAX_SECRET_BYTES) {
    return { ok: false, reason: "it is longer than 4 KiB" };
  }
  if (LINE_BREAK.test(stripped)) {
    return { ok: false, reason: "it holds a line break (only one at the end is allowed)" };
  }
  if (CONTROL.test(stripped)) return { ok: false, reason: "it holds a control character" };
  if (rules.asciiOnly && NOT_PRINTABLE_ASCII.test(stripped)) {
    return { ok: false, reason: "it holds a character other than printable ASCII" };
  }
  const value = rules.trim ? stripped.trim() : stripped;
  if (value === "") return { ok: false, reason: "it is blank", empty: true };
  return { ok: true, value };
}
