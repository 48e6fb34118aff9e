/**
 * Reads a PEM file named by an environment variable, for the TLS settings of Consul and Kafka.
 *
 * @module
 */

import { MAX_CONFIG_FILE_BYTES, type TextFileReader } from "./read_file.ts";
import { describeIoError } from "./errors.ts";
import { showText } from "./redact.ts";

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
  readTextFile: TextFileReader,
  problems: string[],
  pattern: RegExp = ANY_PEM,
): Promise<string | undefined> {
  const where = `${variable}=${showText(path)}`;
  try {
    const text = await readTextFile(path, MAX_CONFIG_FILE_BYTES);
    if (text.length > MAX_CONFIG_FILE_BYTES) {
      problems.push(`${where}: cannot read the file: it is larger than 1 MiB`);
    } else if (pattern.test(text)) {
      return text;
    } else {
      problems.push(`${where}: not a PEM file; expected ${what} in PEM format`);
    }
  } catch (e) {
    problems.push(`${where}: cannot read the file: ${describeIoError(e)}`);
  }
  return undefined;
}
