import { deepEqual, equal } from "node:assert/strict";
import { configLoader } from "../support/config_loader.ts";
import { formatReport, reportJson } from "../../src/cli/check_report.ts";
import { TEST_CA_PEM } from "../support/pem.ts";

const PEM = TEST_CA_PEM;
const FILES: Record<string, string> = {
  "/ca.pem": PEM,
  "/cut.pem": PEM.split("\n").filter((_, i) => i !== 3).join("\n"),
  "/x": "x",
  "/run/secrets/kafka": "s3cret\n",
  "/empty": "",
};

const { load, problems } = configLoader({ AMPPILOT_LAUNCH_CMD: "x", KAFKA: "k1:9093" }, FILES);

const SASL = { AMPPILOT_KAFKA_SASL_MECHANISM: "scram-sha-512", AMPPILOT_KAFKA_USERNAME: "pilot" };

Deno.test("loadConfig() reads Kafka's TLS and SASL settings from the environment", async () => {
  equal((await load({})).config.kafkaSecurity, undefined);
  deepEqual((await load({ AMPPILOT_KAFKA_TLS: "yes" })).config.kafkaSecurity, {
    tls: { caCerts: [] },
    sasl: undefined,
  });
  const full = await load({
    AMPPILOT_KAFKA_CACERT: "/ca.pem",
    ...SASL,
    AMPPILOT_KAFKA_PASSWORD_FILE: "/run/secrets/kafka",
  });
  deepEqual(full.config.kafkaSecurity, {
    tls: { caCerts: [PEM] },
    sasl: { mechanism: "SCRAM-SHA-512", username: "pilot", password: "s3cret" },
  });
  deepEqual(full.warnings, []);
  const plain = await load({
    AMPPILOT_KAFKA_SASL_MECHANISM: "PLAIN",
    AMPPILOT_KAFKA_USERNAME: "pilot",
    AMPPILOT_KAFKA_PASSWORD: "pw",
  });
  deepEqual(plain.config.kafkaSecurity?.sasl, {
    mechanism: "PLAIN",
    username: "pilot",
    password: "pw",
  });
  deepEqual(plain.warnings, [
    "AMPPILOT_KAFKA_SASL_MECHANISM=PLAIN without TLS sends the Kafka password in clear; " +
    "set AMPPILOT_KAFKA_TLS=true or AMPPILOT_KAFKA_CACERT if the brokers speak TLS",
  ]);
});

Deno.test("loadConfig() says which Kafka security setting is wrong and what was expected", async () => {
  deepEqual(await problems({ AMPPILOT_KAFKA_TLS: "maybe" }), [
    "AMPPILOT_KAFKA_TLS=maybe: expected true/false, 1/0, yes/no or on/off",
  ]);
  deepEqual(await problems({ AMPPILOT_KAFKA_CACERT: "/x" }), [
    "AMPPILOT_KAFKA_CACERT=/x: not a PEM file; expected a CA certificate in PEM format",
  ]);
  deepEqual(await problems({ AMPPILOT_KAFKA_CACERT: "/cut.pem" }), [
    "AMPPILOT_KAFKA_CACERT=/cut.pem: the CERTIFICATE block is cut short or garbled; expected a " +
    "CA certificate in PEM format",
  ]);
  deepEqual(await problems({ AMPPILOT_KAFKA_CACERT: "/nope" }), [
    "AMPPILOT_KAFKA_CACERT=/nope: cannot read the file: the file does not exist",
  ]);
  deepEqual(await problems({ AMPPILOT_KAFKA_TLS: "false", AMPPILOT_KAFKA_CACERT: "/ca.pem" }), [
    "AMPPILOT_KAFKA_CACERT is set but AMPPILOT_KAFKA_TLS=false; expected TLS on, or no CA",
  ]);
  deepEqual(await problems({ ...SASL, AMPPILOT_KAFKA_SASL_MECHANISM: "GSSAPI" }), [
    "AMPPILOT_KAFKA_SASL_MECHANISM=GSSAPI: unknown SASL mechanism; " +
    "expected PLAIN, SCRAM-SHA-256, SCRAM-SHA-512",
    "AMPPILOT_KAFKA_SASL_MECHANISM is set without AMPPILOT_KAFKA_PASSWORD or " +
    "AMPPILOT_KAFKA_PASSWORD_FILE; expected one",
  ]);
  deepEqual(await problems({ AMPPILOT_KAFKA_SASL_MECHANISM: "PLAIN" }), [
    "AMPPILOT_KAFKA_SASL_MECHANISM is set without AMPPILOT_KAFKA_USERNAME; expected a user name",
    "AMPPILOT_KAFKA_SASL_MECHANISM is set without AMPPILOT_KAFKA_PASSWORD or " +
    "AMPPILOT_KAFKA_PASSWORD_FILE; expected one",
  ]);
  deepEqual(await problems({ AMPPILOT_KAFKA_USERNAME: "pilot", AMPPILOT_KAFKA_PASSWORD: "pw" }), [
    "Kafka credentials are set without AMPPILOT_KAFKA_SASL_MECHANISM; " +
    "expected PLAIN, SCRAM-SHA-256, SCRAM-SHA-512",
  ]);
  deepEqual(
    await problems({
      ...SASL,
      AMPPILOT_KAFKA_PASSWORD: "pw",
      AMPPILOT_KAFKA_PASSWORD_FILE: "/run/secrets/kafka",
    }),
    ["both AMPPILOT_KAFKA_PASSWORD and AMPPILOT_KAFKA_PASSWORD_FILE are set; expected one"],
  );
  deepEqual(await problems({ ...SASL, AMPPILOT_KAFKA_PASSWORD_FILE: "/empty" }), [
    "AMPPILOT_KAFKA_PASSWORD_FILE=/empty: the file is empty; expected the Kafka password",
  ]);
});

Deno.test("Kafka security settings without Kafka are ignored with a warning", async () => {
  const off = await load({ KAFKA: "none", AMPPILOT_KAFKA_TLS: "true" });
  deepEqual(off.warnings, ["AMPPILOT_KAFKA_TLS is set but Kafka is off; ignored"]);
});

Deno.test("amp-pilot check shows Kafka's TLS and SASL, never the password", async () => {
  const loaded = await load({
    AMPPILOT_KAFKA_CACERT: "/ca.pem",
    ...SASL,
    AMPPILOT_KAFKA_PASSWORD: "s3cret",
  });
  const text = formatReport(loaded, "test");
  const json = JSON.stringify(reportJson(loaded));
  for (const shown of [text, json]) {
    equal(shown.includes("s3cret"), false, shown);
    equal(shown.includes("TLS (CA given), SASL SCRAM-SHA-512 as pilot"), true, shown);
  }
  equal(text.includes("AMPPILOT_KAFKA_USERNAME=pilot, AMPPILOT_KAFKA_PASSWORD"), true, text);
  equal(text.includes("AMPPILOT_KAFKA_PASSWORD="), false, "the source names the variable only");
});
