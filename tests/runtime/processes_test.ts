import { deepEqual, equal, match, ok } from "node:assert/strict";
import { eventually } from "../support/eventually.ts";
import { lines, startPilot, tempDir } from "../support/pilot.ts";
import { processExists } from "../support/processes.ts";

Deno.test("direct mode propagates exit codes 0, 1, 42, 255 and 128+15", async () => {
  for (
    const [script, code] of [
      ["exit 0", 0],
      ["exit 1", 1],
      ["exit 42", 42],
      ["exit 255", 255],
      ["kill -TERM $$", 143],
    ] as const
  ) {
    await using pilot = startPilot({}, ["sh", "-c", script]);
    equal((await pilot.status).code, code, script);
    equal(pilot.stderr(), "", "direct mode adds nothing to stderr");
  }
});

Deno.test("direct mode passes stdout and stderr through unchanged", async () => {
  await using pilot = startPilot({}, ["sh", "-c", "printf 'out 1\\nout 2'; printf 'err\\n' >&2"]);
  equal((await pilot.status).code, 0);
  equal(pilot.stdout(), "out 1\nout 2");
  equal(pilot.stderr(), "err\n");
});

Deno.test("the pilot forwards SIGHUP, SIGUSR2, SIGQUIT and SIGWINCH to the mate", async () => {
  await using dir = await tempDir();
  const log = `${dir.path}/signals.log`;
  const traps = ["HUP", "USR2", "QUIT", "WINCH"]
    .map((s) => `trap 'echo ${s} >> ${log}' ${s};`).join(" ");
  await using pilot = startPilot({}, [
    "sh",
    "-c",
    `${traps} trap 'exit 0' TERM; echo ready >> ${log}; while :; do sleep 0.05; done`,
  ]);
  await eventually(async () => deepEqual(await lines(log), ["ready"]));
  for (const signal of ["SIGHUP", "SIGUSR2", "SIGQUIT", "SIGWINCH"] as const) {
    pilot.signal(signal);
    await eventually(async () => equal((await lines(log)).at(-1), signal.slice(3)));
  }
  pilot.signal("SIGTERM");
  equal((await pilot.status).code, 0);
});

Deno.test("SIGTERM stops the mate's whole process group; no grandchild survives", async () => {
  await using dir = await tempDir();
  const pids = `${dir.path}/pids`;
  await using pilot = startPilot({}, [
    "sh",
    "-c",
    `sleep 300 & echo $! >> ${pids}; (sleep 300 & echo $! >> ${pids}; wait) & wait`,
  ]);
  await eventually(async () => equal((await lines(pids)).length, 2));
  const grandchildren = (await lines(pids)).map(Number);
  ok(grandchildren.every(processExists));
  pilot.signal("SIGTERM");
  equal((await pilot.status).code, 143);
  await eventually(() => ok(!grandchildren.some(processExists), "a grandchild survived"));
});

Deno.test("as PID 1 the pilot reaps orphans and still gets the mate's exit status", async () => {
  // 50 orphans re-parented to the pilot, then the mate counts zombies in its PID namespace.
  const script = `for i in $(seq 50); do (sleep 0.2 &); done; sleep 1.5; ` +
    `z=0; for s in /proc/[0-9]*/stat; do case "$(cat $s 2>/dev/null)" in *") Z "*) z=$((z+1));; esac; done; ` +
    `echo "zombies=$z"; exit 7`;
  await using pilot = startPilot({}, ["sh", "-c", script], {
    wrapper: ["unshare", "--pid", "--fork", "--mount-proc"],
  });
  const status = await pilot.status;
  match(pilot.stdout(), /zombies=0\n/);
  equal(status.code, 7, pilot.stderr());
});

Deno.test("run exits 127 for a missing command and 126 for one that cannot be executed", async () => {
  await using missing = startPilot({}, ["/nonexistent/app"]);
  equal((await missing.status).code, 127);
  match(missing.stderr(), /command not found: \/nonexistent\/app/);
  await using dir = await tempDir();
  const file = `${dir.path}/app`;
  await Deno.writeTextFile(file, "#!/bin/sh\necho hi\n", { mode: 0o644 });
  await using notExecutable = startPilot({}, [file]);
  equal((await notExecutable.status).code, 126);
  match(notExecutable.stderr(), /permission denied: cannot execute .*\/app/);
});

Deno.test("a script whose #! interpreter is missing is said so, not 'command not found'", async () => {
  await using dir = await tempDir();
  const missing = `${dir.path}/needs-bash.sh`;
  await Deno.writeTextFile(missing, "#!/bin/nonexistent-bash\necho hi\n", { mode: 0o755 });
  await using pilot = startPilot({}, [missing]);
  equal((await pilot.status).code, 126);
  match(
    pilot.stderr(),
    /cannot run .*\/needs-bash\.sh: its interpreter \/bin\/nonexistent-bash \(the #! line\) does not exist/,
  );
  const windows = `${dir.path}/windows.sh`;
  await Deno.writeTextFile(windows, "#!/bin/sh\r\necho hi\r\n", { mode: 0o755 });
  // Found through PATH, as a bare name.
  await using fromPath = startPilot({ PATH: `${dir.path}:/usr/bin:/bin` }, ["windows.sh"]);
  equal((await fromPath.status).code, 126);
  match(
    fromPath.stderr(),
    /cannot run windows\.sh: its #! line ends in a carriage return \(Windows line endings\)/,
  );
  // Not executable, in PATH: not the command at all, whatever its #! line.
  await Deno.writeTextFile(`${dir.path}/deploy.sh`, "#!/bin/sh\necho hi\n", { mode: 0o644 });
  await using notExecutable = startPilot({ PATH: `${dir.path}:/usr/bin:/bin` }, ["deploy.sh"]);
  equal((await notExecutable.status).code, 127);
  match(notExecutable.stderr(), /command not found: deploy\.sh/);
});

Deno.test("run exits 2 with one line per configuration problem", async () => {
  await using pilot = startPilot({ CONSUL: "nope:", AMPPILOT_CHECKPERIOD: "0" }, ["true"]);
  equal((await pilot.status).code, 2);
  const problems = pilot.stderr().trim().split("\n");
  equal(problems.length, 3, pilot.stderr());
  ok(problems.every((l) => l.startsWith("amp-pilot: configuration error: ")));
});
