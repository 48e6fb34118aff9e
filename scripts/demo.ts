// deno-lint-ignore-file no-console -- a command-line script that prints its report

/**
 * `deno task demo`: a real Consul agent and three services under amp-pilot — `web` depends on
 * `api`, which depends on `db`. They start in dependency order; then db's mate is killed, api and
 * web stop and come back after db does; then everything shuts down. About 30 seconds.
 *
 * @module
 */

import { startConsul } from "../tests/support/consul.ts";
import { passingIds } from "../tests/support/dependency.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const COLORS: Record<string, string> = { db: "33", api: "36", web: "35", demo: "1" };

function say(who: string, text: string): void {
  const tag = `\x1b[${COLORS[who] ?? "0"}m${who.padEnd(4)}\x1b[0m`;
  console.log(`${new Date().toISOString().slice(11, 23)} ${tag} ${text}`);
}

async function pipeLines(who: string, stream: ReadableStream<Uint8Array>): Promise<void> {
  let rest = "";
  const decoder = new TextDecoder();
  for await (const chunk of stream) {
    const text = rest + decoder.decode(chunk, { stream: true });
    const parts = text.split("\n");
    rest = parts.pop()!;
    for (const line of parts) say(who, line.replace(/^\d{4}-\d\d-\d\d \S+ \S+ /, ""));
  }
}

interface Service {
  readonly name: string;
  readonly child: Deno.ChildProcess;
  readonly piped: Promise<unknown>;
  readonly pidFile: string;
}

function startService(name: string, deps: string, consul: string, dir: string): Service {
  const pidFile = `${dir}/${name}.pid`;
  const mate = `echo $$ > ${pidFile}; echo "${name} is serving (pid $$)"; ` +
    `trap 'echo "${name} got SIGTERM, bye"; exit 0' TERM; while :; do sleep 0.1 & wait $!; done`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--frozen", MAIN, "--", "sh", "-c", mate],
    env: {
      CONSUL: consul,
      SERVICE_NAME: name,
      DEPENDENCIES: deps,
      AMPPILOT_REGISTEREDIP: "127.0.0.1",
      AMPPILOT_STARTUPCHECKPERIOD: "0.5",
      AMPPILOT_CHECKPERIOD: "2",
    },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const piped = Promise.all([pipeLines(name, child.stdout), pipeLines(name, child.stderr)]);
  return { name, child, piped, pidFile };
}

async function waitPassing(consul: string, names: string[], want: boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const states = await Promise.all(
      names.map(async (n) => (await passingIds(consul, n)).length > 0),
    );
    if (states.every((s) => s === want)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${names.join(", ")} to be ${want ? "passing" : "gone"}`);
}

async function main(): Promise<void> {
  say("demo", "starting a Consul agent (dev mode, loopback, free ports)…");
  await using consul = await startConsul();
  say("demo", `Consul is up at ${consul.address} (${consul.mode})`);
  const dir = await Deno.makeTempDir({ prefix: "amp-pilot-demo-" });
  const services: Service[] = [];
  try {
    say("demo", "starting web, then api, then db — each waits for its dependency");
    services.push(startService("web", "api", consul.address, dir));
    services.push(startService("api", "db", consul.address, dir));
    await new Promise((r) => setTimeout(r, 1500));
    say("demo", "web and api are waiting; now db");
    services.push(startService("db", "", consul.address, dir));
    await waitPassing(consul.address, ["db", "api", "web"], true);
    say("demo", "✔ all three are passing in Consul, started in order db → api → web");

    const dbMate = Number(await Deno.readTextFile(`${dir}/db.pid`));
    say("demo", `killing db's mate (pid ${dbMate}) — api and web must stop`);
    Deno.kill(dbMate, "SIGKILL");
    await waitPassing(consul.address, ["api", "web"], false);
    say("demo", "✔ api and web stopped and left Consul; db's pilot restarts db after its backoff");
    await waitPassing(consul.address, ["db", "api", "web"], true);
    say("demo", "✔ db is back, and so are api and web");

    say("demo", "SIGTERM to every pilot: each deregisters, stops its mate and exits");
    for (const s of services) s.child.kill("SIGTERM");
    for (const s of services) {
      const status = await s.child.status;
      await s.piped;
      say("demo", `${s.name}'s pilot exited with code ${status.code}`);
    }
    await waitPassing(consul.address, ["db", "api", "web"], false);
    say("demo", "✔ nothing left in Consul; stopping the agent");
  } finally {
    for (const s of services) {
      try {
        s.child.kill("SIGKILL");
      } catch { /* already gone */ }
    }
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  try {
    await main();
  } catch (e) {
    console.error(`demo failed: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
