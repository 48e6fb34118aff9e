import { equal, match, ok } from "node:assert/strict";
import { startConsul } from "../support/consul.ts";
import { FAST_PERIODS, startPilot, tempDir } from "../support/pilot.ts";
import { ampPilot } from "../support/amp_pilot_command.ts";

/** A stand-in for an agent that misbehaves on the maintenance call: it hangs, or it redirects. */
function misbehavingAgent(kind: "hang" | "redirect") {
  const requests: string[] = [];
  const hung: (() => void)[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    requests.push(`${request.method} ${new URL(request.url).pathname}`);
    if (kind === "redirect") {
      return new Response(null, { status: 307, headers: { Location: "http://127.0.0.1:9/x" } });
    }
    return new Promise<Response>((resolve) => hung.push(() => resolve(new Response("late"))));
  });
  return {
    address: `127.0.0.1:${server.addr.port}`,
    requests,
    async [Symbol.asyncDispose]() {
      for (const release of hung) release();
      await server.shutdown();
    },
  };
}

Deno.test("maintenance against an agent that hangs or redirects: one line, exit 1, no wait past its deadline", async (t) => {
  await using consul = await startConsul();
  await using dir = await tempDir();
  const statusFile = `${dir.path}/status.json`;
  await using pilot = startPilot({
    CONSUL: consul.address,
    SERVICE_NAME: "mt-bad",
    AMPPILOT_STATUSFILE: statusFile,
    AMPPILOT_REGISTEREDIP: "127.0.0.1",
    ...FAST_PERIODS,
  }, ["sleep", "60"]);
  await pilot.waitForLog(/registered in Consul as mt-bad-/);

  await t.step("an agent that never answers: the call gives up at its deadline", async () => {
    await using agent = misbehavingAgent("hang");
    const started = performance.now();
    const result = await ampPilot(["maintenance", "on", "deploy"], {
      AMPPILOT_STATUSFILE: statusFile,
      CONSUL: agent.address,
    });
    const took = performance.now() - started;
    equal(result.code, 1);
    match(result.stderr, /^amp-pilot maintenance: [^\n]*no answer within 5 s[^\n]*\n$/);
    ok(agent.requests.some((r) => r.startsWith("PUT /v1/agent/service/maintenance/")));
    // The deadline is 5 s; a generous bound for Deno's start on a loaded machine.
    ok(took < 30_000, `took ${Math.round(took)} ms`);
  });

  await t.step("an agent that redirects: an error naming the status, not followed", async () => {
    await using agent = misbehavingAgent("redirect");
    const result = await ampPilot(["maintenance", "on"], {
      AMPPILOT_STATUSFILE: statusFile,
      CONSUL: agent.address,
    });
    equal(result.code, 1);
    match(result.stderr, /^amp-pilot maintenance: [^\n]*307[^\n]*\n$/);
    equal(agent.requests.length, 1);
  });

  pilot.signal("SIGTERM");
  equal((await pilot.status).code, 143);
});
