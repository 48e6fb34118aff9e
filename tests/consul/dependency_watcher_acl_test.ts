import { deepEqual, equal, ok } from "node:assert/strict";
import { consulAddress } from "../../src/config/values.ts";
import { ConsulClient, serviceCheckId } from "../../src/consul/client.ts";
import { watchDependency } from "../../src/consul/dependency_watcher.ts";
import type { DependencyHealth } from "../../src/supervisor/types.ts";
import {
  ANONYMOUS_TOKEN_ID,
  type ConsulAgent,
  createAclPolicy,
  createAclToken,
  setAclTokenPolicies,
  startConsul,
} from "../support/consul.ts";
import { eventually } from "../support/eventually.ts";
import { FAST_PERIODS, lines, startPilot, tempDir } from "../support/pilot.ts";
import { processExists } from "../support/processes.ts";
import { testNoTimerLeftPending } from "../support/timers.ts";

const MATE = new URL("../fixtures/mate.sh", import.meta.url).pathname;

/** What a watcher reported: "healthy", or "unknown: <reason>". */
type Seen = string[];

/** Watches `name` with `token` (none: the anonymous token) until `until` holds for what it saw. */
async function watchUntil(
  agent: ConsulAgent,
  name: string,
  token: string | undefined,
  until: (seen: Seen) => boolean,
  meanwhile: () => Promise<void> = () => Promise.resolve(),
): Promise<{ seen: Seen; problems: (string | undefined)[] }> {
  const client = new ConsulClient({ address: consulAddress.parse(agent.address), token });
  const seen: Seen = [];
  const problems: (string | undefined)[] = [];
  const describe = (health: DependencyHealth, reason?: string) =>
    reason === undefined ? health : `${health}: ${reason}`;
  const watch = watchDependency(client, name, {
    health: (_, health, reason) => seen.push(describe(health, reason)),
    problem: (_, error) => problems.push(error?.message),
  }, { waitMs: 2_000 });
  try {
    await eventually(() => ok(seen.length > 0, "no report yet"), 15_000);
    await meanwhile();
    await eventually(() => ok(until(seen), `saw ${JSON.stringify(seen)}`), 15_000);
  } finally {
    await watch.stop();
    client.close();
  }
  return { seen, problems };
}

const last = (seen: Seen) => seen.at(-1);

/** An instance of `name` registered with the management token, whose check the test sets. */
async function registered(agent: ConsulAgent, name: string, id = `${name}-1`) {
  const client = new ConsulClient({
    address: consulAddress.parse(agent.address),
    token: agent.masterToken,
  });
  await client.registerService({
    id,
    name,
    port: 1,
    check: { ttlMs: 600_000, deregisterCriticalAfterMs: 600_000, status: "passing" },
  });
  await eventually(async () =>
    ok((await client.healthService(name)).entries.some((e) => e.serviceId === id))
  );
  return {
    pass: () => client.updateTtlCheck(serviceCheckId(id), "passing", "passed by the test"),
    fail: () => client.updateTtlCheck(serviceCheckId(id), "critical", "failed by the test"),
    [Symbol.asyncDispose]: async () => {
      await client.deregisterService(id).catch(() => {});
      client.close();
    },
  };
}

const HIDDEN = "unknown: cannot see dependency db: the ACL token lacks service:read on db " +
  "(Consul filtered the answer)";

Deno.test("the dependency watch under ACLs with default deny, on a real agent", async (t) => {
  await using agent = await startConsul({ acl: true });
  await createAclPolicy(agent, "db-read", `service "db" { policy = "read" }`);
  await createAclPolicy(agent, "nodes-read", `node_prefix "" { policy = "read" }`);
  await using db = await registered(agent, "db");

  await t.step(
    "a token without rights: unknown, naming service:read, never unhealthy",
    async () => {
      const token = await createAclToken(agent, []);
      const { seen, problems } = await watchUntil(agent, "db", token.secretId, (s) => s.length > 0);
      deepEqual(seen, [HIDDEN]);
      deepEqual(problems, [HIDDEN.replace(/^unknown: /, "")]);
    },
  );

  await t.step("service:read without node:read: unknown, naming node:read", async () => {
    const token = await createAclToken(agent, ["db-read"]);
    const { seen } = await watchUntil(agent, "db", token.secretId, (s) => s.length > 0);
    deepEqual(seen, [
      "unknown: cannot see dependency db: the ACL token lacks node:read on the nodes of its " +
      "instances (Consul filtered the answer)",
    ]);
  });

  await t.step("no token (anonymous, which Consul does not flag): unknown, asked", async () => {
    const { seen } = await watchUntil(agent, "db", undefined, (s) => s.length > 0);
    deepEqual(seen, [
      "unknown: cannot see dependency db: no ACL token is set (CONSUL_HTTP_TOKEN), and the token " +
      "Consul uses instead lacks service:read on db (Consul filtered the answer)",
    ]);
  });

  await t.step("a token that may read db: an empty passing list is unhealthy", async () => {
    const token = await createAclToken(agent, ["db-read", "nodes-read"]);
    const { seen, problems } = await watchUntil(
      agent,
      "db",
      token.secretId,
      (s) => last(s) === "unhealthy",
      () => db.fail(),
    );
    deepEqual(seen, ["healthy", "unhealthy"]);
    deepEqual(problems, []);
    await db.pass();
  });

  await t.step("a right revoked while watching: unknown, never unhealthy", async () => {
    const token = await createAclToken(agent, ["db-read", "nodes-read"]);
    const { seen } = await watchUntil(
      agent,
      "db",
      token.secretId,
      (s) => last(s) !== "healthy",
      // The blocking query answers at the latest when its wait ends, filtered by the new rights.
      () => setAclTokenPolicies(agent, token.accessorId, ["nodes-read"]),
    );
    deepEqual(seen, ["healthy", HIDDEN]);
  });

  await t.step("the anonymous token given the rights: an empty list is unhealthy", async () => {
    await setAclTokenPolicies(agent, ANONYMOUS_TOKEN_ID, ["db-read", "nodes-read"]);
    const { seen } = await watchUntil(
      agent,
      "db",
      undefined,
      (s) => last(s) === "unhealthy",
      () => db.fail(),
    );
    deepEqual(seen, ["healthy", "unhealthy"]);
  });
});

Deno.test("a pilot whose token loses service:read on its dependency keeps its mate", async () => {
  // Consul's RPC path re-reads the token's rights at every change, so the loss shows at the
  // next change of db; the streaming backend shows it when the wait ends (see above).
  await using agent = await startConsul({ acl: true, streamingBackend: false });
  await createAclPolicy(agent, "web-write", `service "web" { policy = "write" }`);
  await createAclPolicy(agent, "db-read", `service "db" { policy = "read" }`);
  await createAclPolicy(agent, "nodes-read", `node_prefix "" { policy = "read" }`);
  const token = await createAclToken(agent, ["web-write", "db-read", "nodes-read"]);
  await using db = await registered(agent, "db");
  await using dir = await tempDir();
  const log = `${dir.path}/mate.log`;
  await using pilot = startPilot({
    CONSUL: agent.address,
    CONSUL_HTTP_TOKEN: token.secretId,
    SERVICE_NAME: "web",
    DEPENDENCIES: "db",
    ...FAST_PERIODS,
  }, [MATE, log]);
  await eventually(async () => equal((await lines(log)).length, 1), 15_000);
  const mate = Number((await lines(log))[0]!.split(" ")[1]);

  await setAclTokenPolicies(agent, token.accessorId, ["web-write", "nodes-read"]);
  await db.fail(); // a change: without the right, the pilot cannot see it
  await pilot.waitForLog(
    /cannot see dependency db: the ACL token lacks service:read on db \(Consul filtered the answer\)/,
  );
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // time to (wrongly) stop it
  ok(processExists(mate), "the mate runs");
  deepEqual(await lines(log), [`start ${mate}`]);
  ok(!/stopping the mate|dependency db is unhealthy/.test(pilot.stderr()), pilot.stderr());

  pilot.signal("SIGTERM");
  equal((await pilot.status).code, 0);
  ok(!pilot.stderr().includes(token.secretId), "the token never shows in a log line");
});

testNoTimerLeftPending();
