/**
 * Configuration fuzzing: random environments, conffiles and Docker discovery values (keys of the
 * settings table, random values, random bytes). Whatever they hold, loading the configuration
 * either succeeds or throws its own ConfigError, each problem is one line naming a variable or a
 * conffile key, and no problem or warning shows a secret.
 *
 * The seed is printed; `AMP_PILOT_FUZZ_SEED=<seed>` replays a run, `AMP_PILOT_FUZZ_RUNS` changes
 * the number of cases (3000 by default).
 */

import fc from "fast-check";
import { ok } from "node:assert/strict";
import { ConfigError } from "../../src/config/errors.ts";
import { loadConfig } from "../../src/config/load.ts";
import { CONFFILE_ENV, SETTINGS, TOKEN_ENV } from "../../src/config/settings.ts";
import { CONSUL_TLS_ENV } from "../../src/config/consul_tls.ts";
import { KAFKA_SECURITY_ENV } from "../../src/config/kafka_security.ts";
import { FileRefusedError } from "../../src/config/read_file.ts";
import { TEST_CA_PEM } from "../support/pem.ts";

const SEED = Number(Deno.env.get("AMP_PILOT_FUZZ_SEED") ?? Math.floor(Math.random() * 2 ** 31));
const RUNS = Number(Deno.env.get("AMP_PILOT_FUZZ_RUNS") ?? 3000);

/** Every secret generated holds this marker; no message may show it. */
const MARKER = "Zq9Secret";

const VARIABLES: readonly string[] = [
  ...SETTINGS.flatMap((s) => s.env),
  ...TOKEN_ENV,
  ...CONSUL_TLS_ENV,
  ...KAFKA_SECURITY_ENV,
  CONFFILE_ENV,
  "AMPPILOT_DB_ONLYATSTARTUP",
  "AMPPILOT_AMPLOGWORKER_ONLYONSTARTUP",
];
const SECRET_VARIABLES = new Set(["CONSUL_HTTP_TOKEN", "AMPPILOT_KAFKA_PASSWORD"]);
const CONFFILE_KEYS: readonly string[] = SETTINGS.flatMap((s) => s.conffile);

const PATHS = ["/f/conf.json", "/f/secret", "/f/pem", "/f/missing", "/f/refused"] as const;

const interesting = fc.constantFrom(
  "0",
  "-1",
  "0.0001",
  "1e400",
  "9".repeat(400),
  "600h",
  "1h",
  "24h",
  "none",
  "zk://",
  "zk://z:2181/chroot",
  "unix://",
  "[",
  '["a"',
  "[]",
  "db, db.main, ../x",
  ".",
  "..",
  "a/b",
  "true",
  "PLAIN",
  "scram-sha-512",
  "k1:9092,k2:9092",
  "consul:8500",
  "https://c:8501",
  ...PATHS,
);

/** A value with a secret inside, in the places credentials hide. */
const secretValue = fc.tuple(fc.string({ unit: "binary", maxLength: 12 }), fc.nat(99_999)).map((
  [tail, n],
) => `${MARKER}${n}${tail}`);

const addressWithCredentials = fc.tuple(secretValue, fc.constantFrom("", "http://", "https://"))
  .map(([secret, scheme]) => `${scheme}user:${secret.replace(/[\s@/]/g, "x")}@host:8500`);

const rawString = fc.oneof(
  { weight: 3, arbitrary: interesting },
  { weight: 3, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 10 }) },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.double().map(String) },
);

const variableName = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...VARIABLES) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);

/** An environment; secret variables and credentials get a secret value. */
const environment = fc.tuple(
  fc.dictionary(variableName, rawString, { maxKeys: 12 }),
  fc.dictionary(fc.constantFrom(...SECRET_VARIABLES), secretValue, { maxKeys: 2 }),
  fc.dictionary(fc.constantFrom("CONSUL", "KAFKA", "CONSUL_HTTP_ADDR"), addressWithCredentials, {
    maxKeys: 1,
  }),
).map(([plain, secrets, addresses]) => {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(plain)) {
    if (!SECRET_VARIABLES.has(key)) env[key] = value;
  }
  return { ...env, ...secrets, ...addresses };
});

/** A conffile key as a user might write it: a known one in any case, or anything. */
const conffileKey = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.tuple(fc.constantFrom(...CONFFILE_KEYS), fc.boolean()).map(([k, up]) =>
      up ? k.toUpperCase() : k.toLowerCase()
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 15 }) },
  { weight: 1, arbitrary: fc.constantFrom("Host", "LogFileFormat", "Dependancies", "__proto__") },
);

const jsonValue = fc.oneof(
  { weight: 3, arbitrary: rawString },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  {
    weight: 1,
    arbitrary: fc.array(
      fc.oneof(
        rawString,
        fc.record({ Name: rawString, OnlyAtStartup: fc.oneof(fc.boolean(), rawString) }),
        fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 })),
      ),
      { maxLength: 4 },
    ),
  },
);

/** A conffile: a JSON object of settings, JSON text cut anywhere, or random bytes. */
const conffileText = fc.oneof(
  { weight: 4, arbitrary: fc.dictionary(conffileKey, jsonValue).map((o) => JSON.stringify(o)) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.dictionary(conffileKey, jsonValue), fc.nat()).map(([o, cut]) => {
      const text = JSON.stringify(o);
      return text.slice(0, cut % (text.length + 1));
    }),
  },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 60 }) },
  {
    weight: 1,
    arbitrary: fc.uint8Array({ maxLength: 60 }).map((b) => new TextDecoder().decode(b)),
  },
  { weight: 1, arbitrary: fc.jsonValue().map((v) => `\uFEFF${JSON.stringify(v)}`) },
);

const files = fc.record({
  conf: conffileText,
  secret: fc.oneof(
    secretValue,
    secretValue.map((s) => `${s}\n`),
    secretValue.map((s) => s.repeat(600)),
  ),
  pem: fc.oneof(
    fc.constant(TEST_CA_PEM),
    fc.constant(TEST_CA_PEM.slice(0, 200)),
    fc.string({ unit: "binary", maxLength: 40 }),
  ),
});

/** Values found by Docker discovery (labels and the image's settings): any JSON. */
const loaderValues = fc.dictionary(fc.constantFrom(...SETTINGS.map((s) => s.key)), jsonValue, {
  maxKeys: 4,
});

/** Known names a problem may cite: a variable, a conffile key, or the per-dependency form. */
function namesSomething(problem: string): boolean {
  return problem.startsWith("conffile ") ||
    VARIABLES.some((name) => problem.includes(name)) ||
    /AMPPILOT_\w*_ONLY(AT|ON)STARTUP/.test(problem) ||
    problem.includes("arguments after --") ||
    /Docker discovery \(\w+\)/.test(problem);
}

Deno.test(`loadConfig() survives fuzzed environments and conffiles (seed ${SEED})`, async () => {
  // deno-lint-ignore no-console
  console.log(`configuration fuzzing: seed ${SEED} (AMP_PILOT_FUZZ_SEED=${SEED} replays it)`);
  await fc.assert(
    fc.asyncProperty(
      environment,
      files,
      fc.array(fc.string(), { maxLength: 3 }),
      loaderValues,
      async (env, f, args, loader) => {
        const content: Record<string, string> = {
          "/f/conf.json": f.conf,
          "/f/secret": f.secret,
          "/f/pem": f.pem,
        };
        const readTextFile = (path: string, maxBytes: number): Promise<string> => {
          if (path === "/f/refused") {
            return Promise.reject(
              new FileRefusedError("it is a FIFO, not a file"),
            );
          }
          const text = content[path];
          if (text === undefined) return Promise.reject(new Deno.errors.NotFound(path));
          // The real reader never returns more than maxBytes + 1 bytes.
          return Promise.resolve(text.slice(0, maxBytes + 1));
        };
        let messages: readonly string[];
        try {
          const loaded = await loadConfig({
            env,
            args,
            loader,
            readTextFile,
            randomSuffix: () => "0000",
          });
          messages = loaded.warnings;
        } catch (e) {
          if (!(e instanceof ConfigError)) throw new Error(`not a ConfigError: ${e}`, { cause: e });
          ok(e.problems.length > 0);
          for (const problem of e.problems) {
            ok(namesSomething(problem), `names no variable or key: ${problem}`);
          }
          messages = [...e.problems, ...e.message.split("\n")];
        }
        for (const message of messages) {
          ok(
            !message.includes("\n") && !message.includes("\r"),
            `not one line: ${JSON.stringify(message)}`,
          );
          ok(!message.includes(MARKER), `shows a secret: ${JSON.stringify(message)}`);
        }
      },
    ),
    { seed: SEED, numRuns: RUNS },
  );
});
