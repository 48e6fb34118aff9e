import { equal, match, ok } from "node:assert/strict";
import { eventually } from "../support/eventually.ts";
import { lines, type PilotUnderTest, startPilot, tempDir } from "../support/pilot.ts";
import { health } from "../support/amp_pilot_command.ts";

/**
 * A Consul agent that accepts connections but never answers a write: health queries (blocking
 * ones included) are answered as Consul answers them, every PUT hangs until the server closes.
 * A real agent cannot be made to do this, hence this small server of the test's own.
 */
function hungWritesConsul(): {
  address: string;
  puts: string[];
  setHealthy(name: string, healthy: boolean): void;
} & AsyncDisposable {
  const healthy = new Map<string, boolean>();
  let index = 10;
  const changed = new Set<() => void>();
  const hanging = new Set<() => void>();
  const puts: string[] = [];
  const closing = new AbortController();
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        changed.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      changed.add(done);
    });
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: closing.signal, onListen: () => {} },
    async (request) => {
      const url = new URL(request.url);
      if (request.method === "PUT") {
        puts.push(url.pathname);
        await new Promise<void>((resolve) => hanging.add(resolve));
        return new Response("closing", { status: 503 });
      }
      const name = url.pathname.match(/^\/v1\/health\/service\/([^/]+)$/)?.[1];
      if (!name) return new Response("not found", { status: 404 });
      const asked = Number(url.searchParams.get("index") ?? "0");
      if (asked >= index) {
        const waitMs = Number(url.searchParams.get("wait")?.replace(/ms$/, "") ?? "300000");
        await wait(Math.min(waitMs, 60_000));
      }
      const entries = healthy.get(name)
        ? [{
          Node: { Node: "node-1" },
          Service: { ID: `${name}-1`, Service: name, Address: "127.0.0.1", Port: 1 },
          Checks: [{ CheckID: `service:${name}-1`, Status: "passing" }],
        }]
        : [];
      return Response.json(entries, { headers: { "X-Consul-Index": String(index) } });
    },
  );
  return {
    address: `127.0.0.1:${server.addr.port}`,
    puts,
    setHealthy(name, value) {
      healthy.set(name, value);
      index++;
      for (const wake of [...changed]) wake();
    },
    async [Symbol.asyncDispose]() {
      for (const wake of [...changed]) wake();
      for (const release of hanging) release();
      closing.abort();
      await server.finished;
    },
  };
}

/**
 * A mate that logs its start (with its pid) and each SIGTERM (with the time in ms) and ignores
 * SIGTERM. It leaves the pilot's pipes alone, so that a failing test never waits for it.
 */
function stubbornMate(log: string): string[] {
  return [
    "sh",
    "-c",
    `exec >/dev/null 2>&1; trap 'echo term $(date +%s%3N) >> ${log}' TERM; ` +
    `echo start $$ >> ${log}; while :; do sleep 0.05; done`,
  ];
}

/** Waits for the mate's start; kills its process group on dispose (should a test fail). */
async function mateStarted(log: string): Promise<AsyncDisposable> {
  const pid = await eventually(async () => {
    const first = (await lines(log))[0] ?? "";
    ok(first.startsWith("start "), "the mate has not started");
    return Number(first.slice(6));
  }, 15_000);
  return {
    [Symbol.asyncDispose]: () => {
      try {
        Deno.kill(-pid, "SIGKILL");
      } catch {
        // gone already, as it should be
      }
      return Promise.resolve();
    },
  };
}

/** When the mate saw SIGTERM (ms since the epoch), once it has. */
async function termTimes(log: string): Promise<number[]> {
  return (await lines(log)).filter((l) => l.startsWith("term ")).map((l) => Number(l.slice(5)));
}

/** A pilot whose mate runs and whose registration hangs; all of it cleaned up on dispose. */
async function pilotWithHungRegistration(
  consul: ReturnType<typeof hungWritesConsul>,
  stopTimeout: string,
): Promise<{ pilot: PilotUnderTest; log: string; statusFile: string } & AsyncDisposable> {
  const dir = await tempDir();
  const log = `${dir.path}/mate.log`;
  const statusFile = `${dir.path}/status.json`;
  const pilot = startPilot({
    CONSUL: consul.address,
    SERVICE_NAME: "hw-api",
    DEPENDENCIES: "hw-db",
    AMPPILOT_STARTUPCHECKPERIOD: "0.2",
    AMPPILOT_CHECKPERIOD: "0.5",
    AMPPILOT_STOPTIMEOUT: stopTimeout,
    AMPPILOT_REGISTEREDIP: "127.0.0.1",
    AMPPILOT_STATUSFILE: statusFile,
    AMPPILOT_LOGLEVEL: "debug",
  }, stubbornMate(log));
  const dispose = async (mate?: AsyncDisposable) => {
    await mate?.[Symbol.asyncDispose]();
    await pilot[Symbol.asyncDispose]();
    await dir[Symbol.asyncDispose]();
  };
  let mate: AsyncDisposable | undefined;
  try {
    mate = await mateStarted(log);
    await eventually(() => ok(consul.puts.includes("/v1/agent/service/register")));
  } catch (e) {
    await dispose(mate);
    throw e;
  }
  return { pilot, log, statusFile, [Symbol.asyncDispose]: () => dispose(mate) };
}

/** How long after `since` the mate saw its first SIGTERM (ms), once it has. */
async function termDelay(log: string, since: number): Promise<number> {
  await eventually(async () => equal((await termTimes(log)).length, 1), 10_000);
  return (await termTimes(log))[0]! - since;
}

Deno.test("Consul that never answers a write holds up no signal and no stop", async (t) => {
  await using consul = hungWritesConsul();
  consul.setHealthy("hw-db", true);

  await t.step(
    "SIGTERM reaches the mate within 1 s; the pilot exits within the stop timeout + 1 s",
    async () => {
      await using run = await pilotWithHungRegistration(consul, "2s");
      // Consul has not answered the registration: the mate is not ready for Docker
      await eventually(async () => {
        const verdict = await health(run.statusFile);
        equal(verdict.code, 1);
        match(
          verdict.line,
          /^amp-pilot health: not ready: registering in Consul: no answer yet\n$/,
        );
      });
      const termAt = Date.now();
      run.pilot.signal("SIGTERM");
      const reached = await termDelay(run.log, termAt);
      ok(reached < 1_000, `SIGTERM reached the mate ${reached} ms after the pilot got it`);
      equal((await run.pilot.status).code, 137, "killed after the stop timeout");
      const exited = Date.now() - termAt;
      ok(exited < 3_000, `the pilot exited ${exited} ms after SIGTERM (stop timeout 2 s)`);
      match(run.pilot.stderr(), /Consul has not answered the deregistration within 300 ms/);
    },
  );

  await t.step("a second SIGTERM kills the mate at once", async () => {
    await using run = await pilotWithHungRegistration(consul, "60s");
    run.pilot.signal("SIGTERM");
    await termDelay(run.log, 0);
    const secondAt = Date.now();
    run.pilot.signal("SIGTERM");
    equal((await run.pilot.status).code, 137);
    const exited = Date.now() - secondAt;
    ok(exited < 3_000, `the pilot exited ${exited} ms after the second SIGTERM`);
    match(run.pilot.stderr(), /received SIGTERM again; killing the mate/);
  });

  await t.step("a dependency lost while writes hang stops the mate within 1 s", async () => {
    await using run = await pilotWithHungRegistration(consul, "60s");
    const lostAt = Date.now();
    consul.setHealthy("hw-db", false);
    const reached = await termDelay(run.log, lostAt);
    ok(reached < 1_000, `SIGTERM reached the mate ${reached} ms after the dependency was lost`);
    await run.pilot.waitForLog(/stopping the mate: dependency hw-db is no longer healthy/);
    run.pilot.signal("SIGTERM");
    await run.pilot.waitForLog(/exiting once the mate has stopped/);
    run.pilot.signal("SIGTERM");
    equal((await run.pilot.status).code, 137);
  });
});
