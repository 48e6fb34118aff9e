import { deepEqual, equal } from "node:assert/strict";
import { consulAddress } from "../../src/config/values.ts";
import { ConsulClient } from "../../src/consul/client.ts";
import { findDependencyCycle } from "../../src/consul/cycle_probe.ts";
import { startConsul } from "../support/consul.ts";
import { publishInstance } from "../support/published.ts";

Deno.test("a cycle through a waiting pilot is found in a real agent's Meta", async () => {
  await using consul = await startConsul();
  const client = new ConsulClient({ address: consulAddress.parse(consul.address) });
  try {
    await publishInstance(client, "api", ["db", "cache"], "critical");
    await publishInstance(client, "cache", [], "critical");
    equal(await findDependencyCycle(client, "web", ["api"]), undefined, "no cycle yet");
    await publishInstance(client, "db", ["web"], "critical");
    deepEqual(await findDependencyCycle(client, "web", ["api"]), ["web", "api", "db", "web"]);
    equal(
      await findDependencyCycle(client, "worker", ["api"]),
      undefined,
      "depending on a cycle is not being on one",
    );
  } finally {
    client.close();
  }
});

Deno.test("a service with a passing instance holds nobody back: no cycle through it", async () => {
  await using consul = await startConsul();
  const client = new ConsulClient({ address: consulAddress.parse(consul.address) });
  try {
    await publishInstance(client, "api", ["cache"], "critical");
    await publishInstance(client, "cache", [{ name: "web", onlyAtStartup: true }], "passing");
    equal(
      await findDependencyCycle(client, "web", ["api"]),
      undefined,
      "cache passes: api does not wait for web through it",
    );
    // Consul keeps a check's status when the instance is registered again.
    await client.updateTtlCheck("service:cache-1", "critical", "ready command fails");
    equal(
      await findDependencyCycle(client, "web", ["api"]),
      undefined,
      "cache's instance runs (critical, not a waiting listing): it waits for nothing",
    );
    await publishInstance(client, "cache", [{ name: "web", onlyAtStartup: true }], "critical");
    deepEqual(await findDependencyCycle(client, "web", ["api"]), ["web", "api", "cache", "web"]);
    await publishInstance(client, "web", ["api"], "passing");
    equal(
      await findDependencyCycle(client, "web", ["api"]),
      undefined,
      "another instance of web passes: cache does not wait for this one",
    );
  } finally {
    client.close();
  }
});

Deno.test("a name in another service's Meta that is no service name does not hide a cycle", async () => {
  await using consul = await startConsul();
  const client = new ConsulClient({ address: consulAddress.parse(consul.address) });
  try {
    // Any client of Consul can write this: `..` would make the query's path /v1/health/ (404).
    await publishInstance(client, "api", ["..", "web"], "critical");
    deepEqual(await findDependencyCycle(client, "web", ["api"]), ["web", "api", "web"]);
  } finally {
    client.close();
  }
});
