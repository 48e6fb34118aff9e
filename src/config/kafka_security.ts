/**
 * TLS and SASL for the Kafka brokers, from the environment (like Consul's TLS and token, secrets
 * never come from the conffile or Docker labels): `AMPPILOT_KAFKA_TLS`, `AMPPILOT_KAFKA_CACERT`
 * (implies TLS), `AMPPILOT_KAFKA_SASL_MECHANISM`, `AMPPILOT_KAFKA_USERNAME` and
 * `AMPPILOT_KAFKA_PASSWORD` or `AMPPILOT_KAFKA_PASSWORD_FILE` (a Docker secret). Files are read
 * when the configuration loads, so that a wrong path fails at once.
 *
 * @module
 */

import type { TextFileReader } from "./read_file.ts";
import { parseBoolWord } from "./bool_words.ts";
import { type Environment, envValue } from "./env.ts";
import { describeIoError } from "./errors.ts";
import { readPemFile } from "./pem_file.ts";
import { showText } from "./redact.ts";
import { checkSecret, MAX_SECRET_BYTES } from "./secret_value.ts";
import type { KafkaSaslMechanism, KafkaSecurity } from "./types.ts";

/** The variables, in the order they are reported. */
export const KAFKA_SECURITY_ENV = [
  "AMPPILOT_KAFKA_TLS",
  "AMPPILOT_KAFKA_CACERT",
  "AMPPILOT_KAFKA_SASL_MECHANISM",
  "AMPPILOT_KAFKA_USERNAME",
  "AMPPILOT_KAFKA_PASSWORD",
  "AMPPILOT_KAFKA_PASSWORD_FILE",
] as const;

const [TLS, CACERT, MECHANISM, USERNAME, PASSWORD, PASSWORD_FILE] = KAFKA_SECURITY_ENV;
const MECHANISMS: readonly KafkaSaslMechanism[] = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"];

/**
 * Reads the Kafka security settings from the environment.
 *
 * @param kafkaOn Whether Kafka shipping is configured (else the settings are ignored, with a
 * warning).
 * @returns The settings and the variables they came from, or undefined when none is set.
 */
export async function readKafkaSecurity(
  env: Environment,
  kafkaOn: boolean,
  readTextFile: TextFileReader,
  problems: string[],
  warnings: string[],
): Promise<{ value: KafkaSecurity; origin: string } | undefined> {
  const set = KAFKA_SECURITY_ENV.filter((name) => envValue(env, name) !== undefined);
  if (set.length === 0) return undefined;
  if (!kafkaOn) {
    warnings.push(
      `${set.join(", ")} ${set.length === 1 ? "is" : "are"} set but Kafka is off; ignored`,
    );
  }
  const value: KafkaSecurity = {
    tls: await readTls(env, readTextFile, problems),
    sasl: await readSasl(env, readTextFile, problems),
  };
  if (value.sasl?.mechanism === "PLAIN" && !value.tls) {
    warnings.push(
      `${MECHANISM}=PLAIN without TLS sends the Kafka password in clear; ` +
        `set ${TLS}=true or ${CACERT} if the brokers speak TLS`,
    );
  }
  const shown = set.map((name) =>
    name === PASSWORD ? name : `${name}=${showText(envValue(env, name)!)}`
  );
  return { value, origin: shown.join(", ") };
}

async function readTls(
  env: Environment,
  readTextFile: TextFileReader,
  problems: string[],
): Promise<KafkaSecurity["tls"]> {
  const flag = envValue(env, TLS);
  const on = flag === undefined ? undefined : parseBoolWord(flag);
  if (flag !== undefined && on === undefined) {
    problems.push(`${TLS}=${showText(flag)}: expected true/false, 1/0, yes/no or on/off`);
  }
  const path = envValue(env, CACERT);
  if (path === undefined) return on ? { caCerts: [] } : undefined;
  if (on === false) {
    problems.push(`${CACERT} is set but ${TLS}=${showText(flag!)}; expected TLS on, or no CA`);
  }
  const ca = await readPemFile(
    CACERT,
    path,
    "a CA certificate",
    readTextFile,
    problems,
    /-----BEGIN CERTIFICATE-----/,
  );
  return ca === undefined ? undefined : { caCerts: [ca] };
}

async function readSasl(
  env: Environment,
  readTextFile: TextFileReader,
  problems: string[],
): Promise<KafkaSecurity["sasl"]> {
  const raw = envValue(env, MECHANISM);
  const username = envValue(env, USERNAME)?.trim();
  const password = await readPassword(env, readTextFile, problems);
  const expected = `expected ${MECHANISMS.join(", ")}`;
  if (raw === undefined) {
    if (username !== undefined || password !== undefined) {
      problems.push(`Kafka credentials are set without ${MECHANISM}; ${expected}`);
    }
    return undefined;
  }
  const mechanism = MECHANISMS.find((m) => m === raw.trim().toUpperCase());
  if (!mechanism) {
    problems.push(`${MECHANISM}=${showText(raw)}: unknown SASL mechanism; ${expected}`);
  }
  if (!username) problems.push(`${MECHANISM} is set without ${USERNAME}; expected a user name`);
  if (password === undefined && envValue(env, PASSWORD_FILE) === undefined) {
    problems.push(`${MECHANISM} is set without ${PASSWORD} or ${PASSWORD_FILE}; expected one`);
  }
  if (!mechanism || !username || password === undefined) return undefined;
  return { mechanism, username, password };
}

/** The password, from the variable or else the file (a trailing newline removed). */
async function readPassword(
  env: Environment,
  readTextFile: TextFileReader,
  problems: string[],
): Promise<string | undefined> {
  const rules = { asciiOnly: false, trim: false };
  const direct = envValue(env, PASSWORD);
  const path = envValue(env, PASSWORD_FILE);
  if (direct !== undefined && path !== undefined) {
    problems.push(`both ${PASSWORD} and ${PASSWORD_FILE} are set; expected one`);
  }
  if (direct !== undefined) {
    const checked = checkSecret(direct, rules);
    if (checked.ok) return checked.value;
    problems.push(`${PASSWORD}: ${checked.reason}; expected the Kafka password`);
    return undefined;
  }
  if (path === undefined) return undefined;
  const where = `${PASSWORD_FILE}=${showText(path)}`;
  try {
    const checked = checkSecret(await readTextFile(path, MAX_SECRET_BYTES), rules);
    if (checked.ok) return checked.value;
    problems.push(
      checked.empty
        ? `${where}: the file is empty; expected the Kafka password`
        : `${where}: ${checked.reason}; expected a file holding the Kafka password`,
    );
  } catch (e) {
    problems.push(`${where}: cannot read the file: ${describeIoError(e)}`);
  }
  return undefined;
}
