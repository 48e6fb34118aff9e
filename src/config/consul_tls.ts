/**
 * TLS material for an `https://` Consul address, from Consul's own environment variables:
 * `CONSUL_CACERT` (a CA to trust besides the system's), `CONSUL_CLIENT_CERT` and
 * `CONSUL_CLIENT_KEY` (a client certificate, when the agent verifies incoming connections).
 * Files are read when the configuration loads, so that a wrong path fails at once.
 *
 * @module
 */

import type { TextFileReader } from "./read_file.ts";
import { type Environment, envValue } from "./env.ts";
import { readPemFile } from "./pem_file.ts";
import { showText } from "./redact.ts";
import type { ConsulAddress, ConsulTls } from "./types.ts";

/** The variables, in the order they are reported. */
export const CONSUL_TLS_ENV = ["CONSUL_CACERT", "CONSUL_CLIENT_CERT", "CONSUL_CLIENT_KEY"] as const;

/**
 * Reads the TLS files named by the environment.
 *
 * @param address The Consul address, to warn when TLS files are given for a non-https one.
 * @returns The material and the variables it came from, or undefined when none is set.
 */
export async function readConsulTls(
  env: Environment,
  address: ConsulAddress | undefined,
  readTextFile: TextFileReader,
  problems: string[],
  warnings: string[],
): Promise<{ value: ConsulTls; origin: string } | undefined> {
  const [caVar, certVar, keyVar] = CONSUL_TLS_ENV;
  const set = CONSUL_TLS_ENV.filter((name) => envValue(env, name) !== undefined);
  if (set.length === 0) return undefined;
  const read = async (name: string, what: string): Promise<string | undefined> => {
    const path = envValue(env, name);
    return path === undefined
      ? undefined
      : await readPemFile(name, path, what, readTextFile, problems);
  };
  const ca = await read(caVar, "a CA certificate");
  const cert = await read(certVar, "a client certificate");
  const key = await read(keyVar, "the client certificate's private key");
  if (set.includes(certVar) !== set.includes(keyVar)) {
    const [given, missing] = set.includes(certVar) ? [certVar, keyVar] : [keyVar, certVar];
    problems.push(`${given} is set without ${missing}; expected both or neither`);
  }
  if (address && !address.baseUrl.startsWith("https://")) {
    warnings.push(
      `${set.join(", ")} ${set.length === 1 ? "is" : "are"} set but the Consul address is not ` +
        "https://; TLS settings are ignored",
    );
  }
  const value: ConsulTls = {
    caCerts: ca === undefined ? [] : [ca],
    ...(cert !== undefined && key !== undefined ? { cert, key } : {}),
  };
  return {
    value,
    origin: set.map((name) => `${name}=${showText(envValue(env, name)!)}`).join(", "),
  };
}
