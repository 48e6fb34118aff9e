/**
 * Reads a PEM file named by an environment variable, for the TLS settings of Consul and Kafka.
 *
 * @module
 */

import { describeIoError } from "./errors.ts";

/** Any PEM block: a certificate or a key. */
const ANY_PEM = /-----BEGIN [A-Z ]+-----/;

/**
 * Reads the PEM file at `path` (named by `variable`).
 *
 * @param what What the file should hold, for the error ("a CA certificate").
 * @param pattern What its text must contain (any PEM block by default).
 * @returns Its text, or undefined after adding a problem that names the variable, the path and
 * what was expected.
 */
export async function readPemFile(
  variable: string,
  path: string,
  what: string,
  readTextFile: (path: string) => Promise<string>,
  problems: string[],
  pattern: RegExp = ANY_PEM,
): Promise<string | undefined> {
  try {
    const text = await readTextFile(path);
    if (pattern.test(text)) return text;
    problems.push(`${variable}=${path}: not a PEM file; expected ${what} in PEM format`);
  } catch (e) {
    problems.push(`${variable}=${path}: cannot read the file: ${describeIoError(e)}`);
  }
  return undefined;
}
