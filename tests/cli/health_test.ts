import { equal, match, ok } from "node:assert/strict";
import { startConsul } from "../support/consul.ts";
import { fakeDependency } from "../support/dependency.ts";
import { eventually } from "../support/eventually.ts";
import { startPilot, tempDir } from "../support/pilot.ts";
import { health } from "../support/amp_pilot_command.ts";

Deno.test("amp-pilot health follows the pilot: waiting, ready, exited", async () => {
  await using consul = await startConsul();
  await using dir = await tempDir();
  const statusFile = `${dir.path}/status.json`;
  const before = await health(statusFile);
  equal(before.code, 1);
  match(
    before.line,
    /^amp-pilot health: no status file at .*status\.json \(is amp-pilot running here\?\)\n$/,
  );
  await using db = await fakeDependency(consul.address, "h-db");
  await using pilot = startPilot({
    CONSUL: consul.address,
    SERVICE_NAME: "h-api",
    DEPENDENCIES: "h-db",
    AMPPILOT_STATUSFILE: statusFile,
    AMPPILOT_REGISTEREDIP: "127.0.0.1",
  }, ["sleep", "60"]);
  await eventually(async () => {
    const waiting = await health(statusFile);
    equal(waiting.code, 1);
    match(waiting.line, /not ready \(waiting\): waiting for h-db \(unhealthy\)/);
  });
  await db.pass();
  await eventually(async () => {
    const ready = await health(statusFile);
    equal(ready.code, 0, ready.line);
    match(ready.line, /^amp-pilot health: ready \(ready\): registered in Consul and passing\n$/);
  });
  pilot.signal("SIGTERM");
  await pilot.status;
  const after = await health(statusFile);
  equal(after.code, 1);
  match(after.line, /not ready \(exited\): the pilot has exited/);
});

/** A token that the agent knows and that has no rights (ACLs default to deny). */
async function tokenWithoutRights(address: string, managementToken: string): Promise<string> {
  const response = await fetch(`http://${address}/v1/acl/token`, {
    method: "PUT",
    headers: { "X-Consul-Token": managementToken },
    body: JSON.stringify({ Description: "no rights" }),
  });
  const token = await response.json();
  equal(response.status, 200, JSON.stringify(token));
  return token.SecretID;
}

Deno.test("amp-pilot health: not ready when Consul refused the registration (403)", async () => {
  await using consul = await startConsul({ acl: true });
  await using dir = await tempDir();
  const statusFile = `${dir.path}/status.json`;
  const token = await tokenWithoutRights(consul.address, consul.masterToken!);
  await using pilot = startPilot({
    CONSUL: consul.address,
    CONSUL_HTTP_TOKEN: token,
    SERVICE_NAME: "acl-api",
    AMPPILOT_STATUSFILE: statusFile,
    AMPPILOT_REGISTEREDIP: "127.0.0.1",
    AMPPILOT_CHECKPERIOD: "0.5",
  }, ["sleep", "60"]);
  await pilot.waitForLog(/Consul refused the registration \(403 /);
  const verdict = await health(statusFile);
  equal(verdict.code, 1);
  match(
    verdict.line,
    /^amp-pilot health: not ready: Consul refused the registration \(403 Permission denied[^\n]*\)\n$/,
  );
  // asked again every period, never "ready", and the token is never shown
  await new Promise((resolve) => setTimeout(resolve, 1_200));
  equal((await health(statusFile)).code, 1);
  pilot.signal("SIGTERM");
  equal((await pilot.status).code, 143);
  ok(!verdict.line.includes(token) && !pilot.stderr().includes(token), "the token was shown");
  equal(pilot.stderr().match(/Consul refused the registration/g)?.length, 1, "logged once");
  ok(
    !/did not take the instance out/.test(pilot.stderr()),
    "a 404 on deregistration is no problem",
  );
});
