import { deepEqual, equal } from "node:assert/strict";
import { configLoader } from "../support/config_loader.ts";
import { TEST_CA_PEM, TEST_KEY_PEM } from "../support/pem.ts";

const PEM = TEST_CA_PEM;
const KEY = TEST_KEY_PEM;
const FILES: Record<string, string> = { "/ca.pem": PEM, "/c.pem": PEM, "/k.pem": KEY, "/x": "x" };

const { load, problems } = configLoader({
  AMPPILOT_LAUNCH_CMD: "x",
  SERVICE_NAME: "web",
  CONSUL: "https://consul:8501",
}, FILES);

Deno.test("loadConfig() reads CONSUL_CACERT, CONSUL_CLIENT_CERT and CONSUL_CLIENT_KEY", async () => {
  equal((await load({})).config.consulTls, undefined);
  const ca = await load({ CONSUL_CACERT: "/ca.pem" });
  deepEqual(ca.config.consulTls, { caCerts: [PEM] });
  deepEqual(ca.sources.consulTls, { source: "env", origin: "CONSUL_CACERT=/ca.pem" });
  const mutual = await load({
    CONSUL_CACERT: "/ca.pem",
    CONSUL_CLIENT_CERT: "/c.pem",
    CONSUL_CLIENT_KEY: "/k.pem",
  });
  deepEqual(mutual.config.consulTls, { caCerts: [PEM], cert: PEM, key: KEY });
  equal(mutual.warnings.length, 0);
});

Deno.test("loadConfig() says which TLS file is wrong and why", async () => {
  deepEqual(await problems({ CONSUL_CACERT: "/nope.pem" }), [
    "CONSUL_CACERT=/nope.pem: cannot read the file: the file does not exist",
  ]);
  deepEqual(await problems({ CONSUL_CACERT: "/x" }), [
    "CONSUL_CACERT=/x: not a PEM file; expected a CA certificate in PEM format",
  ]);
  deepEqual(await problems({ CONSUL_CLIENT_CERT: "/c.pem" }), [
    "CONSUL_CLIENT_CERT is set without CONSUL_CLIENT_KEY; expected both or neither",
  ]);
  deepEqual(await problems({ CONSUL_CLIENT_KEY: "/k.pem" }), [
    "CONSUL_CLIENT_KEY is set without CONSUL_CLIENT_CERT; expected both or neither",
  ]);
});

Deno.test("loadConfig() warns that TLS files do nothing for a plain http address", async () => {
  const { warnings, config } = await load({ CONSUL: "consul:8500", CONSUL_CACERT: "/ca.pem" });
  deepEqual(warnings, [
    "CONSUL_CACERT is set but the Consul address is not https://; TLS settings are ignored",
  ]);
  deepEqual(config.consulTls, { caCerts: [PEM] });
});
