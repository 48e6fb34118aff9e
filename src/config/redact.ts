/**
 * Keeps secrets out of messages: the ACL token never appears, credentials in addresses are
 * hidden (`http://user:pw@host`, and `user:pw@host:8500` without a scheme), and long values are
 * shortened.
 *
 * @module
 */

/** What replaces a secret in any output. */
export const REDACTED = "<redacted>";

const MAX_SHOWN = 120;

// The password runs to the last `@` (it may hold `@` or `/` itself): hiding too much is safe.
const URL_CREDENTIALS = /(\b[a-z][a-z0-9+.-]*:\/\/[^/:@\s]*:)\S*@/gi;
const BARE_CREDENTIALS = /(^|[\s,;"'=[(])([^\s/:@,;"'=[(]*:)\S*@/g;

/** Hides the password of `scheme://user:password@host` and `user:password@host:port` forms. */
export function redactUrlCredentials(text: string): string {
  return text
    .replace(URL_CREDENTIALS, `$1${REDACTED}@`)
    .replace(
      BARE_CREDENTIALS,
      (match, before: string, user: string) =>
        match.includes(REDACTED) ? match : `${before}${user}${REDACTED}@`,
    );
}

/** Shortens a shown value to one readable piece. */
function shorten(shown: string): string {
  return shown.length > MAX_SHOWN ? `${shown.slice(0, MAX_SHOWN)}…(${shown.length} chars)` : shown;
}

/**
 * Shows a raw configuration value in a message: JSON-quoted, credentials hidden, shortened.
 *
 * @param key The setting, so that secrets are never shown.
 * @param raw The value as received.
 */
export function redactValue(key: string, raw: unknown): string {
  if (key === "consulToken") return REDACTED;
  return shorten(redactUrlCredentials(JSON.stringify(raw) ?? String(raw)));
}

// Characters that would break a one-line message or hide what follows them.
// deno-lint-ignore no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029"]/;

/**
 * Shows a text from the configuration that is not a secret (a path, a word) in a message:
 * as it is when it is plain, JSON-quoted when it holds control characters or quotes; credentials
 * hidden, shortened.
 */
export function showText(text: string): string {
  const plain = UNSAFE.test(text) || text.trim() !== text ? JSON.stringify(text) : text;
  return shorten(redactUrlCredentials(plain));
}
