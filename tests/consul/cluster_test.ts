import { deepEqual, equal, ok } from "node:assert/strict";
import { runCli } from "../../src/cli/cli.ts";
import { consulAddress } from "../../src/config/values.ts";
import { ConsulClient } from "../../src/consul/client.ts";
import { findDependencyCycle } from "../../src/consul/cycle_probe.ts";
import { checkStatuses, fakeDependency, passingIds } from "../support/dependency.ts";
import {
  type ClusterOptions,
  type ConsulCluster,
  startConsulCluster,
} from "../support/consul_cluster.ts";
import { eventually } from "../support/eventually.ts";
import { publishInstance } from "../support/published.ts";
import { FAST_PERIODS, lines, type PilotUnderTest, startPilot, tempDir } from "../support/pilot.ts";

const MATE = new URL("../fixtures/mate.sh", import.meta.url).pathname;

const FAST = { ...FAST_PERIODS, AMPPILOT_LOGLEVEL: "trace" };

/** What the test mate wrote, first word of each line (`start`, `term`). */
async function mateEvents(log: string): Promise<string[]> {
  return (await lines(log)).map((l) => l.split(" ")[0]!);
}

/** `web` on client A, depending on `db` registered on client B; waits until web passes. */
async function webOnClientA(
  cluster: ConsulCluster,
  log: string,
): Promise<PilotUnderTest> {
  const pilot = startPilot(
    {
      ...FAST,
      AMPPILOT_EXPERIMENT_STALE: "1",
      CONSUL: cluster.clientA.address,
      SERVICE_NAME: "web",
      DEPENDENCIES: "db",
    },
    [MATE, log],
  );
  await eventually(async () => deepEqual(await mateEvents(log), ["start"]), 30_000);
  await eventually(async () =>
    equal((await passingIds(cluster.servers[0]!.address, "web")).length, 1)
  );
  return pilot;
}

/** A cluster, `db` passing on client B, and `web`'s pilot on client A with its mate started. */
async function webAndDb(options: ClusterOptions = {}) {
  const stack = new AsyncDisposableStack();
  try {
    const cluster = stack.use(await startConsulCluster(options));
    const dir = stack.use(await tempDir());
    const log = `${dir.path}/mate.log`;
    const db = stack.use(await fakeDependency(cluster.clientB.address, "db"));
    await db.pass();
    const pilot = stack.use(await webOnClientA(cluster, log));
    return { cluster, log, db, pilot, [Symbol.asyncDispose]: () => stack.disposeAsync() };
  } catch (e) {
    await stack.disposeAsync();
    throw e;
  }
}

/** When the pilot logged a line matching `pattern` (ms since the epoch). */
function logTime(logs: string, pattern: RegExp): number {
  const line = logs.split("\n").findLast((l) => pattern.test(l));
  const stamp = line?.match(/^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d{3}) ([+-]\d\d:\d\d)/);
  if (!stamp) throw new Error(`no log line matches ${pattern}:\n${logs}`);
  return Date.parse(`${stamp[1]}T${stamp[2]}${stamp[3]}`);
}

/** Polls every 10 ms until `probe` holds; returns when it first did (ms since the epoch). */
async function momentOf(probe: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Date.now();
}

for (const streamingBackend of [true, false]) {
  const backend = streamingBackend ? "streaming backend" : "use_streaming_backend = false";
  Deno.test(
    `cluster (${backend}): leader killed: mate untouched; a loss after the re-election ` +
      "reaches the pilot within 1 s",
    async () => {
      await using scene = await webAndDb({ streamingBackend });
      const { cluster, log, db, pilot } = scene;

      const leader = await cluster.leader();
      ok(leader, "a leader");
      await leader.kill();
      const next = await cluster.waitForLeader(leader);
      const electedAt = Date.now();
      deepEqual(await mateEvents(log), ["start"], "the mate was touched during the election");

      await db.fail();
      const lostAt = await momentOf(async () => {
        const statuses = await checkStatuses(next.address, "db").catch(() => undefined);
        return statuses?.["db-fake"] === "critical";
      }, 10_000);
      await eventually(async () => ok((await mateEvents(log)).includes("term")), 10_000);
      const late = logTime(pilot.stderr(), /dependency db is unhealthy/) -
        Math.max(electedAt, lostAt);
      ok(
        late <= 1_000,
        `the pilot saw the loss ${late} ms after the new leader and the loss ` +
          `(the loss was in the catalog ${lostAt - electedAt} ms after the new leader, ` +
          `elected at ${new Date(electedAt).toISOString()}); logs:\n${pilot.stderr()}`,
      );
      pilot.signal("SIGTERM");
      equal((await pilot.status).code, 0);
    },
  );
}

Deno.test("cluster: a server restarted, the pilot's agent restarted, the dependency's node lost", async (t) => {
  await using scene = await webAndDb();
  const { cluster, log, db, pilot } = scene;
  const leader = await cluster.leader();
  const server = cluster.servers.find((s) => s !== leader)!;

  await t.step("graph and the cycle probe see the services of every node", async () => {
    const onA = new ConsulClient({ address: consulAddress.parse(cluster.clientA.address) });
    const onB = new ConsulClient({ address: consulAddress.parse(cluster.clientB.address) });
    try {
      await publishInstance(onB, "api", ["db"], "passing");
      await publishInstance(onA, "worker", ["queue"], "critical");
      await publishInstance(onB, "queue", ["worker"], "critical");
      let out = "";
      const code = await runCli(["graph"], {
        env: { CONSUL: cluster.clientA.address },
        out: (text) => (out += text),
        err: (text) => (out += text),
      });
      equal(code, 0);
      equal(
        out,
        "api (healthy, 1/1 passing) → db\n" +
          "db (healthy, 1/1 passing)\n" +
          "queue (unhealthy, 0/1 passing) → worker\n" +
          "web (healthy, 1/1 passing) → db\n" + // a real pilot publishes its dependency
          "worker (unhealthy, 0/1 passing) → queue\n" +
          "cycle: queue → worker → queue\n",
      );
      deepEqual(await findDependencyCycle(onA, "worker", ["queue"]), ["worker", "queue", "worker"]);
      equal(await findDependencyCycle(onA, "web", ["db"]), undefined);
      for (const [client, id] of [[onB, "api-1"], [onA, "worker-1"], [onB, "queue-1"]] as const) {
        await client.deregisterService(id);
      }
    } finally {
      onA.close();
      onB.close();
    }
  });

  await t.step(
    "two real pilots on different nodes waiting on each other name the cycle",
    async () => {
      const waiting = (agent: typeof cluster.clientA, name: string, dependency: string) =>
        startPilot({
          ...FAST,
          AMPPILOT_STATUSFILE: `${log}.${name}.json`,
          CONSUL: agent.address,
          SERVICE_NAME: name,
          DEPENDENCIES: dependency,
        }, ["sleep", "600"]);
      await using worker = waiting(cluster.clientA, "worker", "queue");
      await using queue = waiting(cluster.clientB, "queue", "worker");
      await worker.waitForLog(/\[ERR\] [^:]+: dependency cycle: worker → queue → worker;/, 45_000);
      await queue.waitForLog(/\[ERR\] [^:]+: dependency cycle: queue → worker → queue;/, 45_000);
      for (const pilot of [worker, queue]) {
        pilot.signal("SIGTERM");
        equal((await pilot.status).code, 0);
      }
    },
  );

  await t.step("a follower restarted: nothing changes", async () => {
    await server.stop();
    await server.start();
    await cluster.waitForLeader();
    await new Promise((resolve) => setTimeout(resolve, 500));
    deepEqual(await mateEvents(log), ["start"]);
    equal((await passingIds(server.address, "web")).length, 1);
  });

  await t.step("the pilot's own agent restarted afresh: the registration is restored", async () => {
    await cluster.clientA.kill();
    await eventually(
      async () => equal((await passingIds(server.address, "web")).length, 0),
      15_000,
    );
    await cluster.clientA.start(true);
    // Only the pilot can tell the fresh agent about web: it remembers nothing of before.
    await eventually(async () => {
      const services = await (await fetch(`http://${cluster.clientA.address}/v1/agent/services`))
        .json() as Record<string, { Service: string }>;
      deepEqual(Object.values(services).map((s) => s.Service), ["web"]);
    }, 15_000);
    await eventually(async () => equal((await passingIds(server.address, "web")).length, 1));
    deepEqual(await mateEvents(log), ["start"], "the mate was touched");
  });

  await t.step("the dependency's agent killed: its node is critical, the mate stops", async () => {
    await cluster.clientB.kill();
    await eventually(async () => ok((await mateEvents(log)).includes("term")), 20_000);
    const nodeChecks = await (await fetch(
      `http://${server.address}/v1/health/node/client-b`,
    )).json() as { CheckID: string; Status: string }[];
    deepEqual(
      nodeChecks.filter((c) => c.CheckID === "serfHealth").map((c) => c.Status),
      ["critical"],
    );
    equal((await passingIds(server.address, "web")).length, 0, "web deregistered");
    await pilot.waitForLog(/dependency db is (unhealthy|no longer healthy)/);
  });

  await t.step("the dependency's node back: the mate starts again", async () => {
    await cluster.clientB.start();
    await db.pass();
    await eventually(
      async () => deepEqual(await mateEvents(log), ["start", "term", "start"]),
      20_000,
    );
  });
  pilot.signal("SIGTERM");
  equal((await pilot.status).code, 0);
});
