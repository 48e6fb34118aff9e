import { deepEqual, equal, ok } from "node:assert/strict";
import { startConsul } from "../support/consul.ts";
import { checkStatuses, passingIds } from "../support/dependency.ts";
import { eventually } from "../support/eventually.ts";
import { lines, startPilot, tempDir } from "../support/pilot.ts";
import { freePorts } from "../support/ports.ts";
import { processExists } from "../support/processes.ts";

/**
 * A mate that, on its first run, forks a daemon in a session of its own (so that the end of the
 * mate's process group does not end it) which keeps writing to the inherited stdout, then exits
 * 3, noting the time; later runs just sleep.
 */
function daemonForkingMate(dir: string): string[] {
  const daemon = `echo $$ > ${dir}/daemon.pid; for i in $(seq 300); do echo tick; sleep 0.1; done`;
  return [
    "sh",
    "-c",
    `echo start >> ${dir}/starts.log; ` +
    `if [ ! -f ${dir}/daemon.pid ]; then setsid sh -c '${daemon}' & ` +
    `while [ ! -s ${dir}/daemon.pid ]; do sleep 0.05; done; ` +
    `date +%s%3N > ${dir}/exited; exit 3; fi; exec sleep 60`,
  ];
}

/** The daemon, once it runs; killed on dispose. */
async function daemonOf(dir: string): Promise<{ pid: number } & AsyncDisposable> {
  const pid = await eventually(async () => {
    const pid = Number((await lines(`${dir}/daemon.pid`))[0]);
    ok(pid > 0, "no daemon yet");
    return pid;
  }, 15_000);
  return {
    pid,
    [Symbol.asyncDispose]: () => {
      try {
        Deno.kill(pid, "SIGKILL");
      } catch {
        // gone already
      }
      return Promise.resolve();
    },
  };
}

/** When the mate exited (ms since the epoch). */
async function exitedAt(dir: string): Promise<number> {
  return await eventually(async () => {
    const at = Number((await lines(`${dir}/exited`))[0]);
    ok(at > 0, "the mate has not exited");
    return at;
  }, 15_000);
}

/** Logs shipped to a Kafka where nothing answers: the mate's output goes through pipes. */
async function deadKafka(): Promise<string> {
  const [port] = await freePorts(1);
  return `127.0.0.1:${port}`;
}

Deno.test("a daemon holding the mate's stdout open holds up nothing (Kafka on)", async (t) => {
  await t.step("direct mode: the pilot exits with the mate's 3 at once", async () => {
    await using dir = await tempDir();
    await using pilot = startPilot(
      { AMPPILOT_KAFKA: await deadKafka(), AMPPILOT_LOGLEVEL: "debug" },
      daemonForkingMate(dir.path),
    );
    await using daemon = await daemonOf(dir.path);
    const mateExit = await exitedAt(dir.path);
    await pilot.waitForLog(/mate exited with code 3 on its own; exiting/, 10_000);
    const seen = Date.now() - mateExit;
    ok(seen < 2_000, `the pilot acted on the exit ${seen} ms after it`);
    equal((await pilot.status).code, 3);
    ok(processExists(daemon.pid), "the daemon still holds the pipe: the pilot did not wait for it");
  });

  await t.step("Consul mode: deregistered and restarted by the restart policy", async () => {
    await using consul = await startConsul();
    await using dir = await tempDir();
    await using pilot = startPilot({
      CONSUL: consul.address,
      SERVICE_NAME: "dm-api",
      AMPPILOT_KAFKA: await deadKafka(),
      AMPPILOT_REGISTEREDIP: "127.0.0.1",
      AMPPILOT_STARTUPCHECKPERIOD: "0.2",
      AMPPILOT_CHECKPERIOD: "0.5",
      AMPPILOT_LOGLEVEL: "debug",
    }, daemonForkingMate(dir.path));
    await using daemon = await daemonOf(dir.path);
    const mateExit = await exitedAt(dir.path);
    await pilot.waitForLog(/mate exited with code 3 on its own; waiting for the restart backoff/);
    const seen = Date.now() - mateExit;
    ok(seen < 2_000, `the pilot acted on the exit ${seen} ms after it`);
    await eventually(async () => deepEqual(await checkStatuses(consul.address, "dm-api"), {}));
    await eventually(async () => equal((await lines(`${dir.path}/starts.log`)).length, 2));
    await eventually(async () => equal((await passingIds(consul.address, "dm-api")).length, 1));
    ok(processExists(daemon.pid), "the first run's daemon is still there");
    pilot.signal("SIGTERM");
    equal((await pilot.status).code, 143);
  });
});
