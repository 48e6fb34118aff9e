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
      const problem = pemProblem(text);
      if (problem === undefined) return text;
      problems.push(`${where}: ${problem}; expected ${what} in PEM format`);
    } else {
      problems.push(`${where}: not a PEM file; expected ${what} in PEM format`);
    }
  } catch (e) {
    problems.push(`${where}: cannot read the file: ${describeIoError(e)}`);
  }
  return undefined;
}

/** The blocks that hold exactly one DER SEQUENCE (others, say TRUSTED CERTIFICATE, hold more). */
const DER_SEQUENCES = new Set(["CERTIFICATE", "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"]);

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[ \t]*\r?\n([^]*?)-----END ([A-Z0-9 ]+)-----/g;

/**
 * What is wrong with the PEM blocks of `text`, in a few words, or undefined when each is whole:
 * its END line matches its BEGIN line, its body is base64 of one DER value (a SEQUENCE) of
 * exactly the length its header gives. Caught here, a truncated or garbled file is a
 * configuration error naming its variable, not a TLS handshake failing later for every broker.
 */
export function pemProblem(text: string): string | undefined {
  const begins = text.match(/-----BEGIN [A-Z0-9 ]+-----/g)?.length ?? 0;
  let whole = 0;
  for (const [, label, body, end] of text.matchAll(PEM_BLOCK)) {
    whole++;
    if (label !== end) return `a PEM block begins as ${label} and ends as ${end}`;
    if (/^Proc-Type:\s*4,ENCRYPTED/m.test(body!)) {
      return `the ${label} block is encrypted (Deno cannot use a key with a passphrase)`;
    }
    // Other headers of old (Comment: …) stand before a blank line.
    const base64 = body!.replace(/^[^]*?:[^]*?\r?\n\r?\n/, "").replace(/\s+/g, "");
    let der: Uint8Array;
    try {
      der = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    } catch {
      return `the ${label} block is not base64`;
    }
    if (DER_SEQUENCES.has(label!) && !isWholeDerSequence(der)) {
      return `the ${label} block is cut short or garbled`;
    }
  }
  if (whole < begins) return "a PEM block has no END line (the file is cut short?)";
  return undefined;
}

/** Whether `der` is one DER SEQUENCE whose length is that of the bytes. */
function isWholeDerSequence(der: Uint8Array): boolean {
  if (der.length < 2 || der[0] !== 0x30) return false;
  const first = der[1]!;
  if (first < 0x80) return der.length === 2 + first;
  const octets = first & 0x7f;
  if (octets === 0 || octets > 4 || der.length < 2 + octets) return false;
  let length = 0;
  for (let i = 0; i < octets; i++) length = length * 256 + der[2 + i]!;
  return der.length === 2 + octets + length;
}
