/**
 * Consul service names (the mate's name, its instance id, each dependency).
 *
 * Consul's agent accepts almost any name and only warns that one with other characters than
 * letters, digits and dashes, or longer than 63, "will not be discoverable via DNS". The pilot
 * also puts the names in URL paths (`/v1/health/service/<name>`, `/v1/agent/check/pass/
 * service:<id>`), where `/`, `.`, `..`, `?`, `#`, `%`, blanks and control characters change the
 * request. So it accepts letters, digits, `-`, `_` and `.` (Docker Compose and dotted names stay
 * valid), with at least one letter or digit, at most 255 characters.
 *
 * @module
 */

/** What a valid name looks like, for messages. */
export const SERVICE_NAME_EXPECTED =
  "a Consul service name: letters, digits, '-', '_' and '.', with a letter or digit, " +
  "at most 255 characters";

const ALLOWED = /^[A-Za-z0-9._-]{1,255}$/;
const LETTER_OR_DIGIT = /[A-Za-z0-9]/;

/** Whether `name` is a service name the pilot can use in Consul's URLs. */
export function isServiceName(name: string): boolean {
  return ALLOWED.test(name) && LETTER_OR_DIGIT.test(name);
}

/** What a valid instance id looks like, for messages. */
export const SERVICE_ID_EXPECTED =
  "a Consul instance id: printable ASCII without blanks, '/', '?', '#', '%' or '\\', " +
  "not . or .., at most 255 characters";

const ID_ALLOWED = /^[\x21-\x7e]{1,255}$/;
const ID_FORBIDDEN = /[/?#%\\]/;

/** Whether `id` is an instance id the pilot can put in Consul's URL paths. */
export function isServiceId(id: string): boolean {
  return ID_ALLOWED.test(id) && !ID_FORBIDDEN.test(id) && id !== "." && id !== "..";
}
