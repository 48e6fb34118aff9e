import { deepEqual, equal, match, ok, rejects } from "node:assert/strict";
import { consulAddress } from "../../src/config/values.ts";
import { ConsulClient, serviceCheckId } from "../../src/consul/client.ts";
import { ConsulError } from "../../src/consul/errors.ts";
import { startConsul } from "../support/consul.ts";
import { eventually } from "../support/eventually.ts";
import { testNoTimerLeftPending } from "../support/timers.ts";

function clientFor(address: string, token?: string, timeoutMs?: number): ConsulClient {
  return new ConsulClient({ address: consulAddress.parse(address), token, timeoutMs });
}

function registration(id: string, name: string) {
  return {
    id,
    name,
    address: "127.0.0.1",
    port: 8080,
    tags: ["t1"],
    meta: { pilot: "test" },
    check: { ttlMs: 30_000, deregisterCriticalAfterMs: 60_000 },
  };
}

Deno.test("ConsulClient against a real agent", async (t) => {
  await using agent = await startConsul();
  const consul = clientFor(agent.address);
  try {
    await t.step("leader() answers once the agent is up", async () => {
      match(await consul.leader(), /^127\.0\.0\.1:\d+$/);
    });

    await t.step("registerService() registers an instance with a critical TTL check", async () => {
      await consul.registerService(registration("web-1", "web"));
      const all = await consul.healthService("web");
      equal(all.entries.length, 1);
      const entry = all.entries[0]!;
      equal(entry.serviceId, "web-1");
      equal(entry.address, "127.0.0.1");
      equal(entry.port, 8080);
      const check = entry.checks.find((c) => c.id === serviceCheckId("web-1"));
      equal(check?.status, "critical");
      ok(all.index > 0);
      equal((await consul.healthService("web", { passing: true })).entries.length, 0);
    });

    await t.step(
      "updateTtlCheck() passing makes the instance pass, critical removes it",
      async () => {
        await consul.updateTtlCheck(serviceCheckId("web-1"), "passing", "ready");
        deepEqual(
          (await consul.healthService("web", { passing: true })).entries.map((e) => e.serviceId),
          ["web-1"],
        );
        await consul.updateTtlCheck(serviceCheckId("web-1"), "critical", "ready command failed");
        equal((await consul.healthService("web", { passing: true })).entries.length, 0);
      },
    );

    await t.step("a blocking query returns as soon as the health changes", async () => {
      const { index } = await consul.healthService("web", { passing: true });
      const started = performance.now();
      const blocked = consul.healthService("web", { passing: true, index, waitMs: 30_000 });
      await new Promise((r) => setTimeout(r, 200));
      await consul.updateTtlCheck(serviceCheckId("web-1"), "passing");
      const result = await blocked;
      const elapsed = performance.now() - started;
      equal(result.entries.length, 1);
      ok(result.index > index, `index ${result.index} should move past ${index}`);
      ok(elapsed < 10_000, `returned after ${elapsed} ms, long before the 30 s wait`);
    });

    await t.step("a blocking query returns with the same index when the wait ends", async () => {
      const { index } = await consul.healthService("web", { passing: true });
      const started = performance.now();
      const result = await consul.healthService("web", { passing: true, index, waitMs: 500 });
      const elapsed = performance.now() - started;
      equal(result.index, index);
      ok(elapsed >= 450, `returned after ${elapsed} ms, before the 500 ms wait`);
    });

    await t.step("an aborted blocking query rejects with the abort reason", async () => {
      const { index } = await consul.healthService("web", { passing: true });
      const controller = new AbortController();
      const blocked = consul.healthService("web", {
        index,
        waitMs: 30_000,
        signal: controller.signal,
      });
      controller.abort(new Error("stopping"));
      await rejects(blocked, /stopping/);
    });

    await t.step("updateTtlCheck() of an unknown check is a 404 ConsulError", async () => {
      await rejects(consul.updateTtlCheck("service:nope", "passing"), (e: unknown) => {
        ok(e instanceof ConsulError);
        ok(e.isNotFound);
        match(
          e.message,
          /^Consul call PUT \/v1\/agent\/check\/update\/service%3Anope failed: HTTP 404/,
        );
        return true;
      });
    });

    await t.step("deregisterService() removes the instance", async () => {
      await consul.deregisterService("web-1");
      equal((await consul.healthService("web")).entries.length, 0);
    });
  } finally {
    consul.close();
  }
});

Deno.test("ConsulClient sends the ACL token in X-Consul-Token", async (t) => {
  await using agent = await startConsul({ acl: true });
  const anonymous = clientFor(agent.address);
  const withToken = clientFor(agent.address, agent.masterToken);
  try {
    await t.step("without the token the agent refuses the registration", async () => {
      await rejects(anonymous.registerService(registration("db-1", "db")), (e: unknown) => {
        ok(e instanceof ConsulError);
        equal(e.status, 403);
        match(e.message, /PUT \/v1\/agent\/service\/register failed: HTTP 403: Permission denied/);
        ok(!e.message.includes(agent.masterToken!));
        return true;
      });
    });
    await t.step("with the token it registers and deregisters", async () => {
      await withToken.registerService(registration("db-1", "db"));
      equal((await withToken.healthService("db")).entries.length, 1);
      await withToken.deregisterService("db-1");
      // With ACLs on, the agent syncs the removal to the catalog in the background.
      await eventually(async () => equal((await withToken.healthService("db")).entries.length, 0));
    });
  } finally {
    anonymous.close();
    withToken.close();
  }
});

Deno.test("ConsulClient reaches the agent through a unix socket", async () => {
  await using agent = await startConsul({ unixSocket: true });
  const consul = clientFor(`unix://${agent.socketPath}`);
  try {
    await consul.registerService(registration("sock-1", "sock"));
    equal((await consul.healthService("sock")).entries[0]?.serviceId, "sock-1");
    await consul.deregisterService("sock-1");
  } finally {
    consul.close();
  }
});

testNoTimerLeftPending();
