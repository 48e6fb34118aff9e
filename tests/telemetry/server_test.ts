import { equal, match, ok } from "node:assert/strict";
import { startConsul } from "../support/consul.ts";
import { fakeDependency } from "../support/dependency.ts";
import { eventually } from "../support/eventually.ts";
import { startPilot, tempDir } from "../support/pilot.ts";
import { freePorts } from "../support/ports.ts";

async function scrape(url: string): Promise<{ status: number; type: string; body: string }> {
  const response = await fetch(url);
  return {
    status: response.status,
    type: response.headers.get("content-type") ?? "",
    body: await response.text(),
  };
}

Deno.test("a real pilot serves /metrics and /status to an HTTP client", async () => {
  await using consul = await startConsul();
  await using dir = await tempDir();
  const [port] = await freePorts(1);
  await using db = await fakeDependency(consul.address, "tm-db");
  await using pilot = startPilot({
    CONSUL: consul.address,
    SERVICE_NAME: "tm-api",
    DEPENDENCIES: "tm-db",
    AMPPILOT_TELEMETRY: `127.0.0.1:${port}`,
    AMPPILOT_STATUSFILE: `${dir.path}/status.json`,
    AMPPILOT_REGISTEREDIP: "127.0.0.1",
    AMPPILOT_CHECKPERIOD: "0.3",
  }, ["sleep", "60"]);
  await pilot.waitForLog(/telemetry at http:\/\/127\.0\.0\.1:\d+\/metrics and \/status/);
  const base = `http://127.0.0.1:${port}`;
  await eventually(async () => {
    const waiting = await scrape(`${base}/metrics`);
    equal(waiting.status, 200);
    equal(waiting.type, "text/plain; version=0.0.4; charset=utf-8");
    match(waiting.body, /^amp_pilot_mate_up 0$/m);
    match(waiting.body, /^amp_pilot_mate_starts_total 0$/m);
    match(waiting.body, /^amp_pilot_dependency_healthy\{dependency="tm-db"\} 0$/m);
  });
  await db.pass();
  await pilot.waitForLog(/registered in Consul as tm-api-/);
  await eventually(async () => {
    const ready = await scrape(`${base}/metrics`);
    match(ready.body, /^amp_pilot_mate_up 1$/m);
    match(ready.body, /^amp_pilot_mate_starts_total 1$/m);
    match(ready.body, /^amp_pilot_dependency_healthy\{dependency="tm-db"\} 1$/m);
    match(ready.body, /^amp_pilot_consul_requests_total\{call="register",outcome="ok"\} 1$/m);
    match(
      ready.body,
      /^amp_pilot_consul_requests_total\{call="heartbeat",outcome="ok"\} [1-9]\d*$/m,
    );
  });
  ok(
    !/amp_pilot_kafka/.test((await scrape(`${base}/metrics`)).body),
    "no Kafka metrics without Kafka",
  );
  const status = await scrape(`${base}/status`);
  equal(status.status, 200);
  const json = JSON.parse(status.body);
  equal(json.phase, "ready");
  equal(json.ready, true);
  equal(json.dependencies["tm-db"].health, "healthy");
  equal(json.registration.state, "accepted");
  equal((await scrape(`${base}/nope`)).status, 404);
  pilot.signal("SIGTERM");
  equal((await pilot.status).code, 143);
  // the port is closed with the pilot
  await fetch(`${base}/metrics`).then(
    () => Promise.reject(new Error("still listening")),
    (e) => ok(e instanceof TypeError),
  );
});

Deno.test("a telemetry port that is taken is a warning; the pilot runs on", async () => {
  const [port] = await freePorts(1);
  using taken = Deno.listen({ hostname: "127.0.0.1", port: port! });
  await using pilot = startPilot({
    AMPPILOT_TELEMETRY: `127.0.0.1:${port}`,
    AMPPILOT_LOGLEVEL: "info",
  }, ["sleep", "60"]);
  await pilot.waitForLog(/no telemetry: cannot listen on 127\.0\.0\.1:\d+ \(.*in use.*\)/i);
  await pilot.waitForLog(/starting the mate/);
  pilot.signal("SIGTERM");
  equal((await pilot.status).code, 143);
  ok(taken.addr);
});

Deno.test("hundreds of idle connections to the telemetry port leave the pilot running and serving", async () => {
  const [port] = await freePorts(1);
  // 128 descriptors: before, about a hundred idle connections ended the pilot (EMFILE, exit 1).
  await using pilot = startPilot(
    {
      AMPPILOT_TELEMETRY: `127.0.0.1:${port}`,
      AMPPILOT_LOGLEVEL: "info",
    },
    ["sleep", "60"],
    { wrapper: ["sh", "-c", 'ulimit -n 128 && exec "$@"', "sh"] },
  );
  await pilot.waitForLog(/telemetry at http:\/\/127\.0\.0\.1:\d+\/metrics and \/status/);
  await pilot.waitForLog(/starting the mate/);
  const idle: Deno.Conn[] = [];
  try {
    for (let i = 0; i < 300; i++) {
      idle.push(await Deno.connect({ hostname: "127.0.0.1", port: port! }));
    }
    // Each connection is answered (closed at once past the limit, or at its deadline).
    for (const conn of idle) await new Response(conn.readable).arrayBuffer().catch(() => {});
    const metrics = await scrape(`http://127.0.0.1:${port}/metrics`);
    equal(metrics.status, 200);
    match(metrics.body, /^amp_pilot_mate_up 1$/m);
  } finally {
    for (const conn of idle) {
      try {
        conn.close();
      } catch {
        // closed by the pilot
      }
    }
  }
  pilot.signal("SIGTERM");
  equal((await pilot.status).code, 143, pilot.stderr());
  ok(!/Uncaught|error: /.test(pilot.stderr()), pilot.stderr());
});
