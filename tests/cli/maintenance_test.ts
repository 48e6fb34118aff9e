import { equal, match, ok } from "node:assert/strict";
import { startConsul } from "../support/consul.ts";
import { checkStatuses, fakeDependency, passingIds } from "../support/dependency.ts";
import { eventually } from "../support/eventually.ts";
import { FAST_PERIODS, startPilot, tempDir } from "../support/pilot.ts";
import { ampPilot } from "../support/amp_pilot_command.ts";

interface ConsulCheck {
  CheckID: string;
  Status: string;
  Notes: string;
}

async function checksOf(address: string, service: string): Promise<ConsulCheck[]> {
  const response = await fetch(`http://${address}/v1/health/checks/${service}`);
  equal(response.status, 200);
  return await response.json();
}

Deno.test("maintenance on/off: seen in Consul's health output; the pilot keeps heart-beating", async () => {
  await using consul = await startConsul();
  await using dir = await tempDir();
  const statusFile = `${dir.path}/status.json`;
  await using pilot = startPilot({
    CONSUL: consul.address,
    SERVICE_NAME: "mt-api",
    AMPPILOT_SERVICEID: "mt-api-1",
    AMPPILOT_STATUSFILE: statusFile,
    AMPPILOT_REGISTEREDIP: "127.0.0.1",
    AMPPILOT_CHECKPERIOD: "0.3",
  }, ["sleep", "60"]);
  await pilot.waitForLog(/registered in Consul as mt-api-1/);
  await eventually(async () =>
    equal((await passingIds(consul.address, "mt-api")).join(), "mt-api-1")
  );
  const matePid = JSON.parse(await Deno.readTextFile(statusFile)).mate.pid;
  // The command gets no Consul address: it finds Consul and the instance in the status file.
  const env = { AMPPILOT_STATUSFILE: statusFile };
  const on = await ampPilot(["maintenance", "on", "deploying", "v2"], env);
  equal(on.code, 0, on.stderr);
  equal(
    on.stdout,
    "amp-pilot maintenance: mt-api-1 is in maintenance (deploying v2); the mate keeps running\n",
  );
  const maintenance = (await checksOf(consul.address, "mt-api"))
    .find((c) => c.CheckID === "_service_maintenance:mt-api-1");
  equal(maintenance?.Status, "critical");
  equal(maintenance?.Notes, "deploying v2");
  equal((await passingIds(consul.address, "mt-api")).length, 0);
  // Several heartbeat periods later the pilot's own check still passes, the mate still runs.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  equal((await checkStatuses(consul.address, "mt-api"))["mt-api-1"], "passing");
  const status = JSON.parse(await Deno.readTextFile(statusFile));
  equal(status.mate.pid, matePid);
  equal(status.mate.starts, 1);
  const off = await ampPilot(["maintenance", "off"], env);
  equal(off.code, 0, off.stderr);
  equal(off.stdout, "amp-pilot maintenance: mt-api-1 is out of maintenance\n");
  ok(
    !(await checksOf(consul.address, "mt-api")).some((c) =>
      c.CheckID.startsWith("_service_maintenance:")
    ),
  );
  await eventually(async () =>
    equal((await passingIds(consul.address, "mt-api")).join(), "mt-api-1")
  );
  pilot.signal("SIGTERM");
  equal((await pilot.status).code, 143);
});

Deno.test("maintenance ends when the pilot deregisters: the next registration passes", async () => {
  await using consul = await startConsul();
  await using dir = await tempDir();
  const statusFile = `${dir.path}/status.json`;
  await using db = await fakeDependency(consul.address, "mt-db");
  await db.pass();
  await using pilot = startPilot({
    CONSUL: consul.address,
    SERVICE_NAME: "mt-web",
    AMPPILOT_SERVICEID: "mt-web-1",
    DEPENDENCIES: "mt-db",
    AMPPILOT_STATUSFILE: statusFile,
    ...FAST_PERIODS,
  }, ["sleep", "60"]);
  await pilot.waitForLog(/registered in Consul as mt-web-1/);
  const on = await ampPilot(["maintenance", "on"], { AMPPILOT_STATUSFILE: statusFile });
  equal(on.code, 0, on.stderr);
  const inMaintenance = async () =>
    (await checksOf(consul.address, "mt-web")).some((c) =>
      c.CheckID === "_service_maintenance:mt-web-1"
    );
  ok(await inMaintenance());
  // The dependency lost: the pilot deregisters the instance, and Consul drops the maintenance.
  await db.fail();
  await pilot.waitForLog(/stopping the mate: dependency mt-db is no longer healthy/);
  await db.pass();
  await eventually(
    async () => equal((await passingIds(consul.address, "mt-web")).join(), "mt-web-1"),
    30_000,
  );
  equal(await inMaintenance(), false);
  pilot.signal("SIGTERM");
  equal((await pilot.status).code, 143);
});

Deno.test("maintenance: one line and exit 1 when no pilot runs", async () => {
  await using dir = await tempDir();
  const result = await ampPilot(["maintenance", "on"], {
    AMPPILOT_STATUSFILE: `${dir.path}/none.json`,
  });
  equal(result.code, 1);
  match(
    result.stderr,
    /^amp-pilot maintenance: no running pilot: no status file at .*none\.json \(is amp-pilot running here\?\)\n$/,
  );
});

Deno.test("maintenance: an address with a password is refused without showing the password", async () => {
  await using dir = await tempDir();
  const statusFile = `${dir.path}/status.json`;
  const now = Date.now();
  await Deno.writeTextFile(
    statusFile,
    JSON.stringify({
      phase: "ready",
      ready: true,
      reason: "registered in Consul and passing",
      pid: Deno.pid,
      updatedAt: now,
      staleAfterMs: 60_000,
      registration: {
        state: "passing",
        consul: "http://127.0.0.1:8500",
        serviceId: "mt-pw-1",
        serviceName: "mt-pw",
        address: "127.0.0.1:80",
      },
    }),
  );
  const result = await ampPilot(["maintenance", "on"], {
    AMPPILOT_STATUSFILE: statusFile,
    CONSUL: "http://admin:s3cret-of-maintenance@consul:8500",
  });
  equal(result.code, 2);
  match(
    result.stderr,
    /^amp-pilot maintenance: Consul address "http:\/\/admin:<redacted>@consul:8500": expected [^\n]+\n$/,
  );
  ok(!result.stderr.includes("s3cret-of-maintenance"), result.stderr);
});

Deno.test("maintenance: Consul's refusal is one line, and the token is never shown", async () => {
  await using consul = await startConsul({ acl: true });
  await using dir = await tempDir();
  const statusFile = `${dir.path}/status.json`;
  await using pilot = startPilot({
    CONSUL: consul.address,
    CONSUL_HTTP_TOKEN: consul.masterToken!,
    SERVICE_NAME: "mt-acl",
    AMPPILOT_STATUSFILE: statusFile,
    AMPPILOT_REGISTEREDIP: "127.0.0.1",
  }, ["sleep", "60"]);
  await pilot.waitForLog(/registered in Consul as mt-acl-/);
  const secret = "11111111-2222-3333-4444-555555555555";
  const denied = await ampPilot(["maintenance", "on"], {
    AMPPILOT_STATUSFILE: statusFile,
    CONSUL_HTTP_TOKEN: secret,
  });
  equal(denied.code, 1);
  match(denied.stderr, /^amp-pilot maintenance: .*(403|ACL not found)[^\n]*\n$/);
  ok(!denied.stderr.includes(secret));
  ok(!(await Deno.readTextFile(statusFile)).includes(consul.masterToken!));
  const allowed = await ampPilot(["maintenance", "on"], {
    AMPPILOT_STATUSFILE: statusFile,
    CONSUL_HTTP_TOKEN: consul.masterToken!,
  });
  equal(allowed.code, 0, allowed.stderr);
  pilot.signal("SIGTERM");
  equal((await pilot.status).code, 143);
});
