import { deepEqual, doesNotMatch, equal, match } from "node:assert/strict";
import { runCli } from "../../src/cli/cli.ts";
import { startConsul } from "../support/consul.ts";
import { checkStatuses, fakeDependency, passingIds } from "../support/dependency.ts";
import { eventually } from "../support/eventually.ts";
import { FAST_PERIODS, lines, startPilot, tempDir } from "../support/pilot.ts";
import { ampPilot } from "../support/amp_pilot_command.ts";

const MATE = new URL("../fixtures/mate.sh", import.meta.url).pathname;

/** Waiting is listed after 5 s and searched every 10 s: a cycle is named within ~15 s. */
const CYCLE_NAMED_MS = 45_000;

/** A pilot of `name` depending on `dependencies`, its mate writing to `<dir>/<name>.log`. */
function pilotOf(address: string, dir: string, name: string, deps: string, env = {}) {
  return startPilot(
    {
      ...FAST_PERIODS,
      AMPPILOT_LOGLEVEL: "debug",
      CONSUL: address,
      SERVICE_NAME: name,
      AMPPILOT_STATUSFILE: `${dir}/${name}.json`,
      ...(deps ? { DEPENDENCIES: deps } : {}),
      ...env,
    },
    [MATE, `${dir}/${name}.log`],
  );
}

async function graph(address: string): Promise<string> {
  let out = "";
  await runCli(["graph"], { env: { CONSUL: address }, out: (t) => (out += t), err: () => {} });
  return out;
}

async function mateStarted(path: string): Promise<boolean> {
  return (await lines(path).catch(() => [])).some((l) => l.startsWith("start"));
}

Deno.test("two real pilots waiting on each other name the cycle, and start once it is broken", async () => {
  await using consul = await startConsul();
  await using dir = await tempDir();
  // web's check period is long: its instance must pass at once when its mate is ready, not a
  // period later (Consul keeps the waiting instance's critical status across a registration).
  await using web = pilotOf(consul.address, dir.path, "web", "api", { AMPPILOT_CHECKPERIOD: "60" });
  const api = pilotOf(consul.address, dir.path, "api", "web");
  try {
    await web.waitForLog(
      /\[ERR\] amp-pilot\.supervisor: dependency cycle: web → api → web; no service of it can start/,
      CYCLE_NAMED_MS,
    );
    await api.waitForLog(/dependency cycle: api → web → api; no service/, CYCLE_NAMED_MS);
    match(web.stderr(), /listed in Consul as waiting \(check critical\)/);
    deepEqual(await checkStatuses(consul.address, "web"), {
      [await onlyId(consul.address, "web")]: "critical",
    });
    match(await graph(consul.address), /^api \(unhealthy, 0\/1 passing\) → web\n/m);
    match(await graph(consul.address), /^cycle: api → web → api$/m);
    const status = JSON.parse(
      (await ampPilot(["status", "--json"], { AMPPILOT_STATUSFILE: `${dir.path}/web.json` }))
        .stdout,
    );
    equal(status.reason, "waiting for api (unhealthy); dependency cycle: web → api → web");
    equal(status.registration.state, "announced");
    const text = await ampPilot(["status"], { AMPPILOT_STATUSFILE: `${dir.path}/web.json` });
    match(
      text.stdout,
      /\n {2}phase: waiting: waiting for api \(unhealthy\); dependency cycle: web → api → web\n/,
    );
    match(text.stdout, /instance web-\w+ of web at 127\.0\.0\.1:80: announced \(listed as waiting/);
    equal(await mateStarted(`${dir.path}/web.log`), false);
    equal(
      web.stderr().match(/dependency cycle: web/g)?.length,
      1,
      "said once, not at every search",
    );
  } finally {
    api.signal("SIGTERM");
    await api.status;
  }
  await web.waitForLog(/the dependency cycle web → api → web is gone/, CYCLE_NAMED_MS);
  await using apiAlone = pilotOf(consul.address, dir.path, "api", "");
  await eventually(() => mateStarted(`${dir.path}/web.log`).then((s) => equal(s, true)), 30_000);
  await eventually(
    async () => equal((await passingIds(consul.address, "web")).length, 1),
    10_000,
  );
  web.signal("SIGTERM");
  equal((await web.status).code, 0);
  apiAlone.signal("SIGTERM");
  equal((await apiAlone.status).code, 0);
});

Deno.test("a real chain waiting on a missing root names no cycle, and comes up with the root", async () => {
  await using consul = await startConsul();
  await using dir = await tempDir();
  await using api = pilotOf(consul.address, dir.path, "api", "db");
  await using web = pilotOf(consul.address, dir.path, "web", "api");
  for (const pilot of [api, web]) {
    await pilot.waitForLog(/listed in Consul as waiting/, CYCLE_NAMED_MS);
    await pilot.waitForLog(/no dependency cycle holds this pilot/, CYCLE_NAMED_MS);
  }
  await using db = await fakeDependency(consul.address, "db");
  await db.pass();
  await eventually(() => mateStarted(`${dir.path}/web.log`).then((s) => equal(s, true)), 30_000);
  for (const pilot of [api, web]) {
    doesNotMatch(pilot.stderr(), /dependency cycle:/);
    pilot.signal("SIGTERM");
    equal((await pilot.status).code, 0);
  }
  deepEqual(await checkStatuses(consul.address, "web"), {}, "taken out at the exit");
});

async function onlyId(address: string, name: string): Promise<string> {
  const ids = Object.keys(await checkStatuses(address, name));
  equal(ids.length, 1);
  return ids[0]!;
}

Deno.test("a waiting pilot stays listed past Consul's reaping of critical instances", async () => {
  await using consul = await startConsul();
  await using dir = await tempDir();
  // Consul reaps an instance critical for DeregisterAfter (at least 1m; its reaper runs every
  // 30 s): measured on 1.16.3, a listing left alone is gone about 2 min after its check expired.
  await using web = pilotOf(consul.address, dir.path, "web", "api", {
    AMPPILOT_DEREGISTERAFTER: "1m",
  });
  await web.waitForLog(/listed in Consul as waiting/, CYCLE_NAMED_MS);
  const until = Date.now() + 150_000;
  while (Date.now() < until) {
    const statuses = Object.values(await checkStatuses(consul.address, "web"));
    deepEqual(statuses, ["critical"], "still listed, as waiting");
    await new Promise((resolve) => setTimeout(resolve, 5_000));
  }
  web.signal("SIGTERM");
  equal((await web.status).code, 0);
  deepEqual(await checkStatuses(consul.address, "web"), {}, "taken out at the exit");
});
