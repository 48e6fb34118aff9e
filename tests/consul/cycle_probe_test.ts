import { deepEqual, equal, rejects } from "node:assert/strict";
import { consulAddress } from "../../src/config/values.ts";
import { ConsulClient } from "../../src/consul/client.ts";
import { findDependencyCycle } from "../../src/consul/cycle_probe.ts";
import { WAITING_META_KEY } from "../../src/consul/dependency_meta.ts";
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

/** A Consul of the test's own for the health queries: `answer` per service name. */
function fakeHealth(answer: (service: string) => Response) {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const name = decodeURIComponent(new URL(req.url).pathname.split("/").at(-1)!);
    return answer(name);
  });
  return {
    client: new ConsulClient({ address: consulAddress.parse(`127.0.0.1:${server.addr.port}`) }),
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

/** One waiting instance of `name` that publishes `deps`, as a health answer. */
function waiting(name: string, deps: string): Response {
  return Response.json([{
    Node: { Node: "n1" },
    Service: {
      ID: `${name}-1`,
      Service: name,
      Meta: { [WAITING_META_KEY]: "true", "amp-pilot-dependencies": deps },
    },
    Checks: [{ CheckID: `service:${name}-1`, Status: "critical" }],
  }], { headers: { "X-Consul-Index": "5" } });
}

Deno.test("one service's answer of the wrong shape leaves it without edges; a Consul fault fails the probe", async () => {
  let api = () =>
    new Response("<html>a proxy's page</html>", { headers: { "X-Consul-Index": "5" } });
  await using consul = fakeHealth((name) =>
    name === "web"
      ? Response.json([], { headers: { "X-Consul-Index": "5" } })
      : name === "api"
      ? api()
      : waiting(name, "web")
  );
  try {
    deepEqual(await findDependencyCycle(consul.client, "web", ["api", "db"]), ["web", "db", "web"]);
    api = () => new Response("No cluster leader", { status: 500 });
    await rejects(
      findDependencyCycle(consul.client, "web", ["api", "db"]),
      /HTTP 500: No cluster leader/,
    );
  } finally {
    consul.client.close();
  }
});
