import { deepEqual, equal, match, ok } from "node:assert/strict";
import { startConsul } from "../support/consul.ts";
import { fakeDependency } from "../support/dependency.ts";
import { eventually } from "../support/eventually.ts";
import { startPilot, tempDir } from "../support/pilot.ts";
import { ampPilot } from "../support/amp_pilot_command.ts";

Deno.test("status and health read a real pilot through the conffile's StatusFile", async () => {
  await using consul = await startConsul();
  await using dir = await tempDir();
  const statusFile = `${dir.path}/in-conffile.json`;
  const conffile = `${dir.path}/pilot.json`;
  await Deno.writeTextFile(conffile, JSON.stringify({ statusfile: statusFile }));
  await using db = await fakeDependency(consul.address, "st-db");
  await using pilot = startPilot({
    CONSUL: consul.address,
    SERVICE_NAME: "st-api",
    DEPENDENCIES: "st-db",
    AMPPILOT_CONFFILE: conffile,
    AMPPILOT_REGISTEREDIP: "127.0.0.1",
    AMPPILOT_REGISTEREDPORT: "8080",
    AMPPILOT_SERVICEID: "st-api-1",
  }, ["sleep", "60"]);
  // Only the conffile tells the commands where the file is, as in a HEALTHCHECK.
  const env = { AMPPILOT_CONFFILE: conffile };
  await pilot.waitForLog(
    /amp-pilot starting in Consul mode: Consul http:\/\/[^ ]+, service st-api as st-api-1 at 127\.0\.0\.1:8080, dependencies st-db; log shipping off/,
  );
  await eventually(async () => {
    const waiting = await ampPilot(["status", "--json"], env);
    equal(waiting.code, 0, waiting.stdout + waiting.stderr);
    const status = JSON.parse(waiting.stdout);
    equal(status.running, true);
    equal(status.phase, "waiting");
    equal(status.dependencies["st-db"].health, "unhealthy");
    equal(status.dependencies["st-db"].reason, "no passing instance");
    deepEqual(status.mate, { pid: null, starts: 0, lastExit: null });
    // After 5 s of waiting the instance is listed as waiting (a loaded machine may get there).
    ok(
      ["none", "announcing", "announced"].includes(status.registration.state),
      status.registration.state,
    );
    equal((await ampPilot(["health"], env)).code, 1);
  });
  await db.pass();
  await pilot.waitForLog(/registered in Consul as st-api-1 at 127\.0\.0\.1:8080; check passing/);
  await eventually(async () => {
    const text = await ampPilot(["status"], env);
    equal(text.code, 0, text.stdout);
    match(text.stdout, /^amp-pilot status: running as pid \d+, up \d+/);
    match(text.stdout, /\n {2}phase: ready: registered in Consul and passing\n/);
    match(text.stdout, /\n {2}mate: pid \d+, started 1 time\(s\)\n/);
    match(text.stdout, /\n {2}dependency st-db: healthy for \d+ s \(passing\)\n/);
    match(
      text.stdout,
      /\n {2}Consul: http:\/\/[^;]+; instance st-api-1 of st-api at 127\.0\.0\.1:8080: accepted\n/,
    );
    match(text.stdout, new RegExp(`\\n {2}status file: ${statusFile}, written \\d+ s ago\\n$`));
    const verdict = await ampPilot(["health"], env);
    equal(verdict.code, 0, verdict.stdout);
  });
  const json = JSON.parse((await ampPilot(["status", "--json"], env)).stdout);
  ok(json.mate.pid > 0);
  equal(json.lastConsulError, null);
  pilot.signal("SIGTERM");
  equal((await pilot.status).code, 143);
  const after = await ampPilot(["status"], env);
  equal(after.code, 1);
  match(
    after.stdout,
    /^amp-pilot status: not running \(not ready \(exited\): the pilot has exited\)/,
  );
  match(
    after.stdout,
    /\n {2}mate: not running, started 1 time\(s\); last exit by SIGTERM \d+ s ago\n/,
  );
});

Deno.test("status exits 1 with one line when no pilot wrote a status file", async () => {
  await using dir = await tempDir();
  const result = await ampPilot(["status"], { AMPPILOT_STATUSFILE: `${dir.path}/none.json` });
  equal(result.code, 1);
  equal(
    result.stdout,
    `amp-pilot status: no status file at ${dir.path}/none.json (is amp-pilot running here?)\n`,
  );
});

Deno.test("status and health answer one line, exit 1, for a status file of JSON null", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/null.json`;
  await Deno.writeTextFile(path, "null\n");
  const line = `the status file ${path} has no "ready", "updatedAt" and "staleAfterMs"`;
  const status = await ampPilot(["status"], { AMPPILOT_STATUSFILE: path });
  deepEqual([status.code, status.stdout, status.stderr], [1, `amp-pilot status: ${line}\n`, ""]);
  const health = await ampPilot(["health"], { AMPPILOT_STATUSFILE: path });
  equal(health.code, 1);
  equal(`${health.stdout}${health.stderr}`.trim().split("\n").length, 1, health.stderr);
  match(`${health.stdout}${health.stderr}`, /has no "ready", "updatedAt" and "staleAfterMs"\n$/);
});

Deno.test("status, health and maintenance answer one line, exit 1, for a fresh status file of the wrong shape", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/odd.json`;
  const fresh = {
    phase: "ready",
    ready: true,
    reason: "running",
    pid: 1,
    updatedAt: Date.now(),
    staleAfterMs: 600_000,
  };
  const cases: [Record<string, unknown>, string][] = [
    [{ dependencies: { db: null } }, "dependencies.db is null, expected an object"],
    [{ registration: {} }, "registration.state is missing, expected a string"],
    [{ registration: { consul: 7 } }, "registration.state is missing, expected a string"],
    [
      { mate: { pid: "1", starts: 1, lastExit: null } },
      "mate.pid is a string, expected a number or null",
    ],
  ];
  for (const [odd, problem] of cases) {
    await Deno.writeTextFile(path, JSON.stringify({ ...fresh, ...odd }));
    const line = `the status file ${path} is not a pilot's status: ${problem}`;
    const env = { AMPPILOT_STATUSFILE: path };
    const status = await ampPilot(["status"], env);
    deepEqual([status.code, status.stdout, status.stderr], [1, `amp-pilot status: ${line}\n`, ""]);
    const health = await ampPilot(["health"], env);
    deepEqual([health.code, health.stdout, health.stderr], [1, `amp-pilot health: ${line}\n`, ""]);
    const maintenance = await ampPilot(["maintenance", "on"], env);
    equal(maintenance.code, 1, maintenance.stderr);
    equal(
      `${maintenance.stdout}${maintenance.stderr}`,
      `amp-pilot maintenance: no running pilot: ${line}\n`,
    );
  }
});

Deno.test("status and health say why a status file that is there cannot be read", async () => {
  await using dir = await tempDir();
  const fifo = `${dir.path}/fifo`;
  const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
  equal(made.code, 0);
  const large = `${dir.path}/large.json`;
  await Deno.writeTextFile(large, " ".repeat(2 * 1024 * 1024));
  for (
    const [path, why] of [
      [fifo, "it is a FIFO, not a file"],
      [dir.path, "it is a directory, not a file"],
      [large, "it is larger than 1 MiB"],
    ]
  ) {
    const env = { AMPPILOT_STATUSFILE: path! };
    const health = await ampPilot(["health"], env);
    equal(health.code, 1);
    equal(health.stdout, `amp-pilot health: cannot read the status file ${path}: ${why}\n`);
    const status = await ampPilot(["status"], env);
    equal(status.code, 1);
    equal(status.stdout, `amp-pilot status: cannot read the status file ${path}: ${why}\n`);
  }
});

Deno.test("a status file that cannot be written is a warning at the start", async () => {
  await using consul = await startConsul();
  await using pilot = startPilot({
    CONSUL: consul.address,
    SERVICE_NAME: "st-ro",
    AMPPILOT_STATUSFILE: "/proc/amp-pilot-cannot-write/status.json",
    AMPPILOT_REGISTEREDIP: "127.0.0.1",
  }, ["sleep", "60"]);
  await pilot.waitForLog(
    /WRN.*cannot write the status file \(\/proc\/amp-pilot-cannot-write\/status\.json: No such file or directory \(os error 2\)\); amp-pilot health and status will not see this pilot/,
  );
  pilot.signal("SIGTERM");
  equal((await pilot.status).code, 143);
  equal(pilot.stderr().match(/cannot write the status file/g)?.length, 1);
  const logs = pilot.stderr();
  ok(logs.indexOf("cannot write the status file") < logs.indexOf("starting the mate"), logs);
});

Deno.test("the startup timeout gives up with exit 69 and names what was missing", async () => {
  await using consul = await startConsul();
  await using pilot = startPilot({
    CONSUL: consul.address,
    SERVICE_NAME: "st-late",
    DEPENDENCIES: "st-never",
    AMPPILOT_STARTUPTIMEOUT: "1",
    AMPPILOT_REGISTEREDIP: "127.0.0.1",
  }, ["sleep", "60"]);
  equal((await pilot.status).code, 69);
  match(
    pilot.stderr(),
    /gave up after the startup timeout of 1 s: still missing st-never: (no passing instance|no answer from Consul yet) \(\d+ s\); exiting with 69/,
  );
  ok(!/starting the mate/.test(pilot.stderr()));
});
