/**
 * Keeps secrets out of messages: the ACL token never appears, credentials in URLs are hidden,
 * and long values are shortened.
 *
 * @module
 */

/** What replaces a secret in any output. */
export const REDACTED = "<redacted>";

const MAX_SHOWN = 120;

/** Hides the password of `scheme://user:password@host` forms. */
export function redactUrlCredentials(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^/:@\s]*:)[^/@\s]*@/gi, `$1${REDACTED}@`);
}

/**
 * Shows a raw configuration value in a message: JSON-quoted, credentials hidden, shortened.
 *
 * @param key The setting, so that secrets are never shown.
 * @param raw The value as received.
 */
export function redactValue(key: string, raw: unknown): string {
  if (key === "consulToken") return REDACTED;
  const shown = redactUrlCredentials(JSON.stringify(raw) ?? String(raw));
  return shown.length > MAX_SHOWN ? `${shown.slice(0, MAX_SHOWN)}…(${shown.length} chars)` : shown;
}
