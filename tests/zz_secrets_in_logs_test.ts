/**
 * The scan for secrets in every log line of the test run. Test modules run one after the other
 * in path order, and `zz_` sorts after every folder of tests/, so this one runs last and sees
 * what every pilot of the run printed (tests/support/secrets.ts records it). Run alone or with
 * part of the suite, it scans what that run recorded, its own pilots included.
 */

import { deepEqual, equal, ok } from "node:assert/strict";
import { startPilot, tempDir } from "./support/pilot.ts";
import {
  findLeaks,
  LOG_DIR_CREATED_ENV,
  readRecords,
  runLogDir,
  TEST_SECRETS,
} from "./support/secrets.ts";

Deno.test("findLeaks() finds a secret in any line of a record, and shows it masked", () => {
  const record = { label: "x", secrets: [], stdout: "a\nb token=s3cret-1 c\n", stderr: "fine" };
  deepEqual(findLeaks([record], ["s3cret-1"]), [
    { label: "x", stream: "stdout", line: 2, text: "b token=<secret> c" },
  ]);
  deepEqual(findLeaks([record], ["absent-secret"]), []);
});

Deno.test("no line that any pilot of this test run printed shows a secret the tests use", async () => {
  // Pilots of its own, given each kind of secret, so that even a run of this file alone scans
  // real output: a configuration error next to secrets, and a debug-level run that uses them.
  await using dir = await tempDir();
  const tokenFile = `${dir.path}/token`;
  await Deno.writeTextFile(tokenFile, `${TEST_SECRETS.consulTokenInFile}\n`);
  const badPasswordFile = `${dir.path}/password`;
  await Deno.writeTextFile(badPasswordFile, `${TEST_SECRETS.kafkaPassword}\nsecond line\n`);
  const secrets = {
    CONSUL_HTTP_TOKEN_FILE: tokenFile,
    AMPPILOT_KAFKA_SASL_MECHANISM: "SCRAM-SHA-256",
    AMPPILOT_KAFKA_USERNAME: "pilot",
  };
  {
    await using refused = startPilot({
      ...secrets,
      CONSUL: `pilot:${TEST_SECRETS.kafkaPassword}@127.0.0.1:1`,
      SERVICE_NAME: "scan",
      KAFKA: "127.0.0.1:1",
      AMPPILOT_KAFKA_PASSWORD_FILE: badPasswordFile,
    }, ["true"]);
    equal((await refused.status).code, 2, refused.stderr());
  }
  {
    await using ran = startPilot({
      ...secrets,
      AMPPILOT_KAFKA_PASSWORD: TEST_SECRETS.kafkaPassword,
      AMPPILOT_LOGLEVEL: "debug",
    }, ["true"]);
    equal((await ran.status).code, 0, ran.stderr());
  }

  const records = readRecords();
  const all = [
    ...new Set([...Object.values(TEST_SECRETS), ...records.flatMap((r) => r.secrets)]),
  ];
  ok(records.length >= 2, `expected this test's pilots among the records in ${runLogDir()}`);
  // deno-lint-ignore no-console
  console.log(
    `scanned the output of ${records.length} pilots in ${runLogDir()} for ${all.length} secrets`,
  );
  const leaks = findLeaks(records, all);
  deepEqual(leaks, [], `secrets in the logs (records kept in ${runLogDir()})`);
  const created = Deno.env.get(LOG_DIR_CREATED_ENV);
  if (created === runLogDir()) await Deno.remove(created, { recursive: true });
});
