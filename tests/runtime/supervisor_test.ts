import { deepEqual, equal, ok } from "node:assert/strict";
import { startConsul } from "../support/consul.ts";
import { checkStatuses, fakeDependency, passingIds } from "../support/dependency.ts";
import { eventually } from "../support/eventually.ts";
import { FAST_PERIODS, lines, startPilot, tempDir } from "../support/pilot.ts";
import { processExists } from "../support/processes.ts";

const MATE = new URL("../fixtures/mate.sh", import.meta.url).pathname;

/** Fast periods so that the tests run in seconds. */
const FAST = { ...FAST_PERIODS, AMPPILOT_LOGLEVEL: "debug" };

Deno.test("supervisor against a real Consul and real processes", async (t) => {
  await using consul = await startConsul();
  const base = { CONSUL: consul.address, ...FAST };

  await t.step("start waits for every dependency and starts when the last one passes", async () => {
    await using dir = await tempDir();
    const log = `${dir.path}/mate.log`;
    await using db = await fakeDependency(consul.address, "w-db");
    await using cache = await fakeDependency(consul.address, "w-cache");
    await using pilot = startPilot(
      { ...base, SERVICE_NAME: "w-web", DEPENDENCIES: "w-db, w-cache" },
      [MATE, log],
    );
    await db.pass();
    await new Promise((r) => setTimeout(r, 700));
    deepEqual(await lines(log), [], "started before every dependency passed");
    await cache.pass();
    await eventually(async () => equal((await lines(log)).length, 1));
    await eventually(async () => equal((await passingIds(consul.address, "w-web")).length, 1));
    pilot.signal("SIGTERM");
    equal((await pilot.status).code, 0);
  });

  await t.step(
    "a dependency failing stops the mate; it restarts when the dependency is back",
    async () => {
      await using dir = await tempDir();
      const log = `${dir.path}/mate.log`;
      await using db = await fakeDependency(consul.address, "s-db");
      await db.pass();
      await using pilot = startPilot({ ...base, SERVICE_NAME: "s-api", DEPENDENCIES: "s-db" }, [
        MATE,
        log,
      ]);
      await eventually(async () => equal((await passingIds(consul.address, "s-api")).length, 1));
      await db.fail();
      await eventually(async () => ok((await lines(log)).some((l) => l.startsWith("term "))));
      equal((await passingIds(consul.address, "s-api")).length, 0, "deregistered");
      await db.pass();
      await eventually(async () =>
        equal((await lines(log)).filter((l) => l.startsWith("start")).length, 2)
      );
      await eventually(async () => equal((await passingIds(consul.address, "s-api")).length, 1));
      pilot.signal("SIGTERM");
      equal((await pilot.status).code, 0);
    },
  );

  await t.step("a mate that ignores SIGTERM is killed after the grace period", async () => {
    await using dir = await tempDir();
    const log = `${dir.path}/mate.log`;
    await using db = await fakeDependency(consul.address, "k-db");
    await db.pass();
    await using pilot = startPilot({ ...base, SERVICE_NAME: "k-api", DEPENDENCIES: "k-db" }, [
      MATE,
      log,
      "ignore-term",
    ]);
    await eventually(async () => equal((await lines(log)).length, 1));
    const pid = Number((await lines(log))[0]!.split(" ")[1]);
    const failedAt = performance.now();
    await db.fail();
    await pilot.waitForLog(/did not stop within 1000 ms; sending SIGKILL/);
    await pilot.waitForLog(/mate was killed by SIGKILL/);
    ok(performance.now() - failedAt >= 900, "killed before the grace period");
    ok((await lines(log)).some((l) => l.startsWith("term-ignored")));
    ok(!processExists(pid), "the mate is gone");
    pilot.signal("SIGTERM");
    equal((await pilot.status).code, 0);
  });

  await t.step("an OnlyAtStartup dependency failing does not stop the mate", async () => {
    await using dir = await tempDir();
    const log = `${dir.path}/mate.log`;
    await using logs = await fakeDependency(consul.address, "o-log-worker");
    await logs.pass();
    await using pilot = startPilot(
      {
        ...base,
        SERVICE_NAME: "o-api",
        DEPENDENCIES: "o-log-worker",
        AMPPILOT_OLOGWORKER_ONLYATSTARTUP: "true",
      },
      [MATE, log],
    );
    await eventually(async () => equal((await passingIds(consul.address, "o-api")).length, 1));
    await logs.fail();
    await pilot.waitForLog(/dependency o-log-worker is unhealthy/);
    await new Promise((r) => setTimeout(r, 700));
    deepEqual((await lines(log)).map((l) => l.split(" ")[0]), ["start"]);
    equal((await passingIds(consul.address, "o-api")).length, 1);
    pilot.signal("SIGTERM");
    equal((await pilot.status).code, 0);
  });

  await t.step("stop-at-mate-stop exits with the mate's code and deregisters", async () => {
    await using pilot = startPilot(
      { ...base, SERVICE_NAME: "x-job", AMPPILOT_STOPATMATESTOP: "true" },
      ["sh", "-c", "sleep 1; exit 42"],
    );
    await eventually(async () => equal((await passingIds(consul.address, "x-job")).length, 1));
    equal((await pilot.status).code, 42);
    deepEqual(await checkStatuses(consul.address, "x-job"), {});
  });

  await t.step("a crashing mate is restarted with growing delays", async () => {
    await using dir = await tempDir();
    const log = `${dir.path}/starts.log`;
    await using pilot = startPilot(
      { ...base, SERVICE_NAME: "c-crash" },
      ["sh", "-c", `date +%s.%N >> ${log}; exit 3`],
    );
    await eventually(async () => ok((await lines(log)).length >= 4), 15_000);
    const starts = (await lines(log)).map(Number);
    const gaps = starts.slice(1).map((s, i) => s - starts[i]!);
    // 1 s, 2 s, 4 s, each plus the time to notice the exit and spawn again (up to 1.5 s on a
    // loaded machine): the lower bounds show the growth, the upper ones that it is no more.
    ok(gaps[0]! >= 0.95 && gaps[0]! < 2.5, `first gap ${gaps[0]}`);
    ok(gaps[1]! >= 1.95 && gaps[1]! < 3.5, `second gap ${gaps[1]}`);
    ok(gaps[2]! >= 3.95 && gaps[2]! < 5.5, `third gap ${gaps[2]}`);
    // Signal only once the fourth run has exited: a SIGTERM racing the mate's own exit 3
    // would rightly end the pilot with the mate's code 3.
    await pilot.waitForLog(
      /(exited with code 3 on its own; waiting for the restart backoff[^\n]*\n[^]*){4}/,
    );
    pilot.signal("SIGTERM");
    equal((await pilot.status).code, 0);
  });

  await t.step(
    "the ready command gates registration; failing, it turns the check critical",
    async () => {
      await using dir = await tempDir();
      const flag = `${dir.path}/ready`;
      await using pilot = startPilot(
        {
          ...base,
          SERVICE_NAME: "r-api",
          AMPPILOT_READY_CMD:
            `sh -c 'test -f ${flag} || { echo "not ready: no ${flag}"; exit 1; }'`,
        },
        ["sleep", "60"],
      );
      await pilot.waitForLog(/ready command failed/);
      deepEqual(await checkStatuses(consul.address, "r-api"), {}, "registered before ready");
      await Deno.writeTextFile(flag, "");
      await eventually(async () => equal((await passingIds(consul.address, "r-api")).length, 1));
      await Deno.remove(flag);
      await eventually(async () => {
        deepEqual(Object.values(await checkStatuses(consul.address, "r-api")), ["critical"]);
      }, 3000);
      await pilot.waitForLog(/ready command failed; check critical: not ready: no /);
      ok(!/stopping the mate/.test(pilot.stderr()), "a failing ready command never stops the mate");
      await Deno.writeTextFile(flag, "");
      await eventually(async () => equal((await passingIds(consul.address, "r-api")).length, 1));
      pilot.signal("SIGTERM");
      equal((await pilot.status).code, 143);
    },
  );

  await t.step(
    "SIGTERM deregisters before the mate is signalled; exit code is the mate's",
    async () => {
      await using dir = await tempDir();
      const seen = `${dir.path}/seen.json`;
      const script =
        `trap 'busybox wget -q -O ${seen} http://${consul.address}/v1/health/service/t-web; ` +
        `exit 7' TERM; while :; do sleep 0.05; done`;
      await using pilot = startPilot({ ...base, SERVICE_NAME: "t-web" }, ["sh", "-c", script]);
      await eventually(async () => equal((await passingIds(consul.address, "t-web")).length, 1));
      pilot.signal("SIGTERM");
      equal((await pilot.status).code, 7);
      deepEqual(JSON.parse(await Deno.readTextFile(seen)), [], "still registered when signalled");
    },
  );

  await t.step(
    "the mate keeps running while Consul is down and registers again after",
    async () => {
      await using dir = await tempDir();
      const log = `${dir.path}/mate.log`;
      await using pilot = startPilot({ ...base, SERVICE_NAME: "u-api" }, [MATE, log]);
      await eventually(async () => equal((await passingIds(consul.address, "u-api")).length, 1));
      await consul.stop();
      await new Promise((r) => setTimeout(r, 3000));
      await consul.restart();
      await eventually(
        async () => equal((await passingIds(consul.address, "u-api")).length, 1),
        10_000,
      );
      deepEqual((await lines(log)).map((l) => l.split(" ")[0]), ["start"], "the mate kept running");
      await pilot.waitForLog(/registering again/);
      pilot.signal("SIGTERM");
      equal((await pilot.status).code, 0);
    },
  );
});
