/**
 * Words for JSON values of the wrong shape, as messages say them ("is a number, expected a
 * string"): shared by the readers of the status file and of the Docker engine's answers.
 *
 * @module
 */

/** A JSON object: not null, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A value's kind with its article: "a number", "an object", "an array", "null", "missing". */
export function typeName(value: unknown): string {
  if (value === undefined) return "missing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return withArticle(typeof value);
}

/** `type` with its article ("a string", "an object"); "null" stands alone. */
export function withArticle(type: string): string {
  if (type === "null") return "null";
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
