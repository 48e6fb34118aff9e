import { equal, match, ok } from "node:assert/strict";
import { runReadyCheck } from "../../src/mate/ready_check.ts";
import { eventually } from "../support/eventually.ts";
import { lines, tempDir } from "../support/pilot.ts";
import { processExists } from "../support/processes.ts";
import { after } from "../../src/timer.ts";
import { testNoTimerLeftPending } from "../support/timers.ts";

Deno.test("runReadyCheck() passes on exit 0 and keeps the output", async () => {
  const result = await runReadyCheck(["sh", "-c", "echo all good"], 2000);
  equal(result.ok, true);
  equal(result.output, "all good\n");
});

Deno.test("runReadyCheck() fails on a non-zero exit with its stdout and stderr", async () => {
  const result = await runReadyCheck(
    ["sh", "-c", "echo checking; echo 'db down' >&2; exit 3"],
    2000,
  );
  equal(result.ok, false);
  match(result.output, /^ready command exited with 3\nchecking\ndb down$/);
});

Deno.test("runReadyCheck() kills the whole group of a command that hangs", async () => {
  await using dir = await tempDir();
  const pids = `${dir.path}/pids`;
  const started = performance.now();
  const result = await runReadyCheck(
    ["sh", "-c", `sleep 30 & echo $! >> ${pids}; echo $$ >> ${pids}; wait`],
    300,
  );
  ok(performance.now() - started < 2000, "waited for the hanging command");
  equal(result.ok, false);
  match(result.output, /^ready command timed out after 300 ms/);
  const [grandchild, child] = (await lines(pids)).map(Number);
  await eventually(() => {
    for (const pid of [grandchild!, child!]) ok(!processExists(pid), `process ${pid} survived`);
  });
});

Deno.test("runReadyCheck() does not wait on the pipes of a daemon the command left behind", async () => {
  await using dir = await tempDir();
  const pidFile = `${dir.path}/daemon.pid`;
  const daemon = `echo $$ > ${pidFile}; exec sleep 60`;
  // Exits only once the daemon is in its own session, out of reach of the group's SIGKILL.
  const waitForPid = `while [ ! -s ${pidFile} ]; do sleep 0.01; done`;
  let daemonPid: number | undefined;
  const gaveUp = Promise.withResolvers<undefined>();
  const timer = after(30_000, () => gaveUp.resolve(undefined));
  try {
    const result = await Promise.race([
      runReadyCheck(
        ["sh", "-c", `setsid sh -c '${daemon}' & ${waitForPid}; echo started; exit 0`],
        2000,
      ),
      gaveUp.promise,
    ]);
    daemonPid = Number((await lines(pidFile))[0]);
    ok(result, "still waiting for the daemon's pipes after 30 s");
    equal(result.ok, true);
    equal(result.output, "started\n");
    ok(processExists(daemonPid), "the daemon is in a session of its own: not the check's to kill");
  } finally {
    timer.cancel();
    if (daemonPid) Deno.kill(daemonPid, "SIGKILL");
  }
});

Deno.test("runReadyCheck() reports a command that cannot be started", async () => {
  const result = await runReadyCheck(["/nonexistent/check"], 1000);
  equal(result.ok, false);
  equal(result.output, "ready command: command not found: /nonexistent/check");
});

Deno.test("runReadyCheck() keeps only the end of a long output", async () => {
  const result = await runReadyCheck([
    "sh",
    "-c",
    "head -c 100000 /dev/zero | tr '\\0' x; echo END",
  ], 2000);
  ok(result.output.length <= 4000);
  ok(result.output.endsWith("xEND\n"));
});

testNoTimerLeftPending();
