import { deepEqual, equal, ok } from "node:assert/strict";
import { consulAddress } from "../../src/config/values.ts";
import { ConsulClient } from "../../src/consul/client.ts";
import {
  dependenciesFromMeta,
  dependencyMeta,
  META_VALUE_MAX,
} from "../../src/consul/dependency_meta.ts";
import { startConsul } from "../support/consul.ts";

/** 40 dependencies of 28 characters: over 1,100 characters of names, every 4th startup-only. */
const MANY = Array.from({ length: 40 }, (_, i) => ({
  name: `dependency-${String(i).padStart(2, "0")}-of-a-long-name`,
  onlyAtStartup: i % 4 === 0,
}));

Deno.test("a long dependency list goes on under numbered Meta keys, each value short enough", () => {
  const meta = dependencyMeta(MANY);
  deepEqual(Object.keys(meta), [
    "amp-pilot-dependencies",
    "amp-pilot-dependencies-2",
    "amp-pilot-dependencies-3",
    "amp-pilot-startup-only",
  ]);
  ok(Object.values(meta).every((v) => v.length <= META_VALUE_MAX), JSON.stringify(meta));
  deepEqual(dependenciesFromMeta({ "amp-pilot-version": "0.1.0", ...meta }), MANY);
});

Deno.test("a real Consul takes a registration publishing a long dependency list", async () => {
  await using consul = await startConsul();
  const client = new ConsulClient({ address: consulAddress.parse(consul.address) });
  try {
    await client.registerService({
      id: "meta-long-1",
      name: "meta-long",
      meta: { "amp-pilot-version": "0.1.0", ...dependencyMeta(MANY) },
      check: { ttlMs: 30_000, deregisterCriticalAfterMs: 60_000 },
    });
    const [entry] = (await client.healthService("meta-long")).entries;
    equal(entry?.serviceId, "meta-long-1");
    deepEqual(dependenciesFromMeta(entry?.meta), MANY);
  } finally {
    client.close();
  }
});
