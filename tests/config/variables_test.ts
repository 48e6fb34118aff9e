import { deepEqual, ok } from "node:assert/strict";
import { DEFAULTS, SETTINGS, UNSET_MEANING } from "../../src/config/settings.ts";
import { knownVariables, variableRows } from "../../src/config/variables.ts";

const SRC = new URL("../../src", import.meta.url).pathname;
const DISTRIBUTION = new URL("../../distribution", import.meta.url).pathname;

/** Every file under `dir`. */
function filesUnder(dir: string): string[] {
  return [...Deno.readDirSync(dir)].flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    return entry.isDirectory ? filesUnder(path) : [path];
  });
}

Deno.test("every setting has a default or says what its absence means", () => {
  const missing = SETTINGS.filter((s) =>
    DEFAULTS[s.key] === undefined && UNSET_MEANING[s.key] === undefined
  ).map((s) => s.key);
  deepEqual(missing, []);
});

Deno.test("the variables table holds every variable the source names, each once", () => {
  const known = new Set(knownVariables());
  const named = new Set<string>();
  // The Kafka protocol's error names (KAFKA_STORAGE_ERROR) are no variables.
  for (const file of filesUnder(SRC).filter((f) => !/\/logs\/kafka\//.test(f))) {
    const text = Deno.readTextFileSync(file);
    for (const m of text.matchAll(/["'`]((AMPPILOT|CONSUL|KAFKA)(_[A-Z0-9_]+)?)["'`]/g)) {
      named.add(m[1]!);
    }
  }
  // pilotLoader and the Alpine wrapper, shell scripts that start the pilot with their variables.
  for (const file of filesUnder(DISTRIBUTION)) {
    const text = Deno.readTextFileSync(file);
    for (const m of text.matchAll(/\$\{?((AMPPILOT|CONSUL|KAFKA)_[A-Z0-9_]+)/g)) named.add(m[1]!);
  }
  ok(named.size > 20, `only ${named.size} names found: the scan is broken`);
  deepEqual([...named].filter((name) => !known.has(name)).sort(), []);
  const all = knownVariables();
  deepEqual(all.filter((name, i) => all.indexOf(name) !== i), [], "a variable in two rows");
  ok(named.has("AMPPILOT_LOADER_WAIT"), "the scan of distribution/ is broken");
});

Deno.test("the variables table has the Consul TLS and Kafka TLS/SASL variables", () => {
  const known = knownVariables();
  for (
    const name of [
      "CONSUL_CACERT",
      "CONSUL_CLIENT_CERT",
      "CONSUL_CLIENT_KEY",
      "AMPPILOT_KAFKA_TLS",
      "AMPPILOT_KAFKA_CACERT",
      "AMPPILOT_KAFKA_SASL_MECHANISM",
      "AMPPILOT_KAFKA_USERNAME",
      "AMPPILOT_KAFKA_PASSWORD",
      "AMPPILOT_KAFKA_PASSWORD_FILE",
      "CONSUL_HTTP_TOKEN_FILE",
      "AMPPILOT_CONFFILE",
    ]
  ) ok(known.includes(name), name);
  ok(variableRows().some((row) => row.env.includes("AMPPILOT_<DEP>_ONLYATSTARTUP")));
});
