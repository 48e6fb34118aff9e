/**
 * The secrets the tests use, and the record of what every pilot started by a test printed, so
 * that one test at the end of the run (tests/zz_secrets_in_logs_test.ts) can check that no
 * secret ever reached a log line.
 *
 * Records go to one folder per `deno test` run: `AMP_PILOT_TEST_LOG_DIR` when set, else a fresh
 * temporary folder that the first recording creates and publishes in the process's environment
 * (all test modules of one run share the process), so that a partial run scans only itself.
 *
 * @module
 */

/** Secrets written literally in the tests (tokens, passwords). */
export const TEST_SECRETS = {
  /** The Consul ACL token of the seed README's example environment. */
  consulToken: "very-secret-token",
  /** The SASL password of the secure test broker (tests/support/kafka.ts). */
  kafkaPassword: "pilot-secret",
  /** A token given through CONSUL_HTTP_TOKEN_FILE. */
  consulTokenInFile: "token-from-a-file-5b1e",
} as const;

/** The variable that names the run's folder of records. */
export const LOG_DIR_ENV = "AMP_PILOT_TEST_LOG_DIR";

/** Set to the folder when this run created it (it may then be removed after a clean scan). */
export const LOG_DIR_CREATED_ENV = "AMP_PILOT_TEST_LOG_DIR_CREATED";

/** Secrets shorter than this are too common as words to be searched for. */
const MIN_SECRET_LENGTH = 6;
/** The most of one stream kept in a record. */
const MAX_KEPT_CHARS = 8 * 1024 * 1024;
/** Variables whose value is a secret, and those that name a file holding one. */
const SECRET_VARIABLE = /(TOKEN|PASSWORD|SECRET)$/;
const SECRET_FILE_VARIABLE = /(TOKEN|PASSWORD|SECRET)_FILE$/;

/** What one pilot printed, and the secrets it was given. */
export interface OutputRecord {
  /** Where it was started: the test file and line. */
  readonly label: string;
  /** The secrets in its environment (values and contents of secret files). */
  readonly secrets: readonly string[];
  /** Its stdout. */
  readonly stdout: string;
  /** Its stderr (its logs). */
  readonly stderr: string;
}

/** The folder of this run's records, created on first use. */
export function runLogDir(): string {
  let dir = Deno.env.get(LOG_DIR_ENV);
  if (!dir) {
    dir = Deno.makeTempDirSync({ prefix: "amp-pilot-test-logs-" });
    Deno.env.set(LOG_DIR_ENV, dir);
    Deno.env.set(LOG_DIR_CREATED_ENV, dir);
  }
  Deno.mkdirSync(dir, { recursive: true });
  return dir;
}

/** The secrets in a pilot's environment: secret variables, and the files secret variables name. */
export function secretsOf(env: Readonly<Record<string, string | undefined>>): string[] {
  const found: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!value) continue;
    if (SECRET_FILE_VARIABLE.test(name)) {
      try {
        // Never open a FIFO or a device: a test of a refused secret file may name one.
        const info = Deno.statSync(value);
        if (info.isFile && info.size <= 64 * 1024) {
          const text = Deno.readTextFileSync(value);
          found.push(text.trim(), ...text.split(/\r?\n/).map((line) => line.trim()));
        }
      } catch {
        // A test of a missing or unreadable secret file: nothing to search for.
      }
    } else if (SECRET_VARIABLE.test(name)) {
      found.push(value.trim());
    }
  }
  return [...new Set(found.filter((s) => s.length >= MIN_SECRET_LENGTH))];
}

/** The test file and line that called into the support code, for a record's label. */
export function callerLabel(): string {
  const frames = (new Error().stack ?? "").split("\n").slice(1);
  const frame = frames.find((f) => f.includes("/tests/") && !f.includes("/tests/support/"));
  const m = frame && /(tests\/[^\s)]+)/.exec(frame);
  return m ? m[1]! : "a test";
}

/** Labels records made in the same millisecond apart. */
let sequence = 0;

/**
 * Saves what a pilot printed. Synchronous, so that no write is left pending when a test ends
 * (the op sanitizer would flag it).
 */
export function recordPilotOutput(
  env: Readonly<Record<string, string | undefined>>,
  stdout: string,
  stderr: string,
  label: string = callerLabel(),
): void {
  const record: OutputRecord = {
    label,
    secrets: secretsOf(env),
    stdout: stdout.slice(0, MAX_KEPT_CHARS),
    stderr: stderr.slice(0, MAX_KEPT_CHARS),
  };
  const name = `${Deno.pid}-${Date.now()}-${sequence++}.json`;
  Deno.writeTextFileSync(`${runLogDir()}/${name}`, JSON.stringify(record));
}

/** Every record of this run so far. */
export function readRecords(dir: string = runLogDir()): OutputRecord[] {
  const records: OutputRecord[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    if (!entry.isFile || !entry.name.endsWith(".json")) continue;
    records.push(JSON.parse(Deno.readTextFileSync(`${dir}/${entry.name}`)) as OutputRecord);
  }
  return records;
}

/** One line of a record that holds a secret, with the secret masked. */
export interface Leak {
  /** The record's label. */
  readonly label: string;
  /** `stdout` or `stderr`. */
  readonly stream: string;
  /** 1-based line number. */
  readonly line: number;
  /** The line, the secret replaced by `<secret>`. */
  readonly text: string;
}

/** The lines of `records` that hold any of `secrets`. */
export function findLeaks(records: readonly OutputRecord[], secrets: readonly string[]): Leak[] {
  const leaks: Leak[] = [];
  for (const record of records) {
    for (const stream of ["stdout", "stderr"] as const) {
      record[stream].split("\n").forEach((text, i) => {
        const secret = secrets.find((s) => text.includes(s));
        if (secret === undefined) return;
        leaks.push({
          label: record.label,
          stream,
          line: i + 1,
          text: text.replaceAll(secret, "<secret>").slice(0, 300),
        });
      });
    }
  }
  return leaks;
}
