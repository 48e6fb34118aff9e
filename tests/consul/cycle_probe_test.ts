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
