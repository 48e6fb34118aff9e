import { equal, match, ok } from "node:assert/strict";
import { eventually } from "../support/eventually.ts";
import { lines, startPilot, tempDir } from "../support/pilot.ts";

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

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

async function health(statusFile: string): Promise<{ code: number; line: string }> {
  const { code, stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--frozen", MAIN, "health"],
    env: { AMPPILOT_STATUSFILE: statusFile },
    stdout: "piped",
    stderr: "null",
  }).output();
  return { code, line: new TextDecoder().decode(stdout) };
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

function pilotEnv(consul: string, statusFile: string, stopTimeout: string) {
  return {
    CONSUL: consul,
    SERVICE_NAME: "hw-api",
    DEPENDENCIES: "hw-db",
    AMPPILOT_STARTUPCHECKPERIOD: "0.2",
    AMPPILOT_CHECKPERIOD: "0.5",
    AMPPILOT_STOPTIMEOUT: stopTimeout,
    AMPPILOT_REGISTEREDIP: "127.0.0.1",
    AMPPILOT_STATUSFILE: statusFile,
    AMPPILOT_LOGLEVEL: "debug",
  };
}

Deno.test("Consul that never answers a write holds up no signal and no stop", async (t) => {
  await using consul = hungWritesConsul();
  consul.setHealthy("hw-db", true);

  await t.step(
    "SIGTERM reaches the mate within 1 s; the pilot exits within the stop timeout + 1 s",
    async () => {
      await using dir = await tempDir();
      const log = `${dir.path}/mate.log`;
      const statusFile = `${dir.path}/status.json`;
      await using pilot = startPilot(
        pilotEnv(consul.address, statusFile, "2s"),
        stubbornMate(log),
      );
      await using _mate = await mateStarted(log);
      await eventually(() => ok(consul.puts.includes("/v1/agent/service/register")));
      // Consul has not answered the registration: the mate is not ready for Docker
      await eventually(async () => {
        const verdict = await health(statusFile);
        equal(verdict.code, 1);
        match(
          verdict.line,
          /^amp-pilot health: not ready: registering in Consul: no answer yet\n$/,
        );
      });
      const termAt = Date.now();
      pilot.signal("SIGTERM");
      await eventually(async () => equal((await termTimes(log)).length, 1), 10_000);
      const reached = (await termTimes(log))[0]! - termAt;
      ok(reached < 1_000, `SIGTERM reached the mate ${reached} ms after the pilot got it`);
      equal((await pilot.status).code, 137, "killed after the stop timeout");
      const exited = Date.now() - termAt;
      ok(exited < 3_000, `the pilot exited ${exited} ms after SIGTERM (stop timeout 2 s)`);
      match(pilot.stderr(), /Consul has not answered the deregistration within 300 ms/);
    },
  );

  await t.step("a second SIGTERM kills the mate at once", async () => {
    await using dir = await tempDir();
    const log = `${dir.path}/mate.log`;
    await using pilot = startPilot(
      pilotEnv(consul.address, `${dir.path}/status.json`, "60s"),
      stubbornMate(log),
    );
    await using _mate = await mateStarted(log);
    await eventually(() => ok(consul.puts.includes("/v1/agent/service/register")));
    pilot.signal("SIGTERM");
    await eventually(async () => equal((await termTimes(log)).length, 1), 10_000);
    const secondAt = Date.now();
    pilot.signal("SIGTERM");
    equal((await pilot.status).code, 137);
    const exited = Date.now() - secondAt;
    ok(exited < 3_000, `the pilot exited ${exited} ms after the second SIGTERM`);
    match(pilot.stderr(), /received SIGTERM again; killing the mate/);
  });

  await t.step("a dependency lost while writes hang stops the mate within 1 s", async () => {
    await using dir = await tempDir();
    const log = `${dir.path}/mate.log`;
    await using pilot = startPilot(
      pilotEnv(consul.address, `${dir.path}/status.json`, "60s"),
      stubbornMate(log),
    );
    await using _mate = await mateStarted(log);
    await eventually(() => ok(consul.puts.includes("/v1/agent/service/register")));
    const lostAt = Date.now();
    consul.setHealthy("hw-db", false);
    await eventually(async () => equal((await termTimes(log)).length, 1), 10_000);
    const reached = (await termTimes(log))[0]! - lostAt;
    ok(reached < 1_000, `SIGTERM reached the mate ${reached} ms after the dependency was lost`);
    await pilot.waitForLog(/stopping the mate: dependency hw-db is no longer healthy/);
    pilot.signal("SIGTERM");
    await pilot.waitForLog(/exiting once the mate has stopped/);
    pilot.signal("SIGTERM");
    equal((await pilot.status).code, 137);
  });
});
