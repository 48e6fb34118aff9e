import { deepEqual, equal } from "node:assert/strict";
import { consulAddress } from "../../src/config/values.ts";
import { ConsulClient } from "../../src/consul/client.ts";
import { findDependencyCycle } from "../../src/consul/cycle_probe.ts";
import { dependencyMeta } from "../../src/consul/dependency_meta.ts";
import { startConsul } from "../support/consul.ts";

/** An instance the way a waiting pilot would publish itself: critical, its dependencies in Meta. */
async function waitingInstance(client: ConsulClient, name: string, deps: string[]) {
  await client.registerService({
    id: `${name}-1`,
    name,
    meta: dependencyMeta(deps.map((d) => ({ name: d, onlyAtStartup: false }))),
    check: { ttlMs: 600_000, deregisterCriticalAfterMs: 600_000, status: "critical" },
  });
}

Deno.test("a cycle through a waiting pilot is found in a real agent's Meta", async () => {
  await using consul = await startConsul();
  const client = new ConsulClient({ address: consulAddress.parse(consul.address) });
  try {
    await waitingInstance(client, "api", ["db", "cache"]);
    await waitingInstance(client, "cache", []);
    equal(await findDependencyCycle(client, "web", ["api"]), undefined, "no cycle yet");
    await waitingInstance(client, "db", ["web"]);
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
