import { equal, match, ok } from "node:assert/strict";
import { ampPilotCommand } from "../support/amp_pilot_command.ts";
import { eventually } from "../support/eventually.ts";
import { lines, tempDir } from "../support/pilot.ts";
import { after } from "../../src/timer.ts";

/**
 * A mate that fills the stderr it shares with the pilot (a background writer blocks on the full
 * pipe, its pid noted), then waits for SIGTERM, which it notes before exiting 0.
 */
function pipeFillingMate(dir: string): string[] {
  return [
    "sh",
    "-c",
    // The shell's own stderr goes elsewhere: its notes (a job killed) would block it too.
    `head -c 1000000 /dev/zero >&2 & echo $! > ${dir}/writer.pid; exec 2>/dev/null; ` +
    `trap 'echo term > ${dir}/term; exit 0' TERM; while :; do sleep 0.05; done`,
  ];
}

/**
 * Whether `pid` sleeps in a write to a full pipe: its wait channel says so, or, where the kernel
 * hides that, it sleeps having written at least half a pipe's 64 KiB (a writer reading /dev/zero
 * has nothing else to sleep on; the kernel counts about 60 KiB written when the pipe is full).
 */
async function blockedOnPipe(pid: number): Promise<boolean> {
  const read = (file: string) => Deno.readTextFile(`/proc/${pid}/${file}`).catch(() => "");
  const wchan = await read("wchan");
  if (/pipe_write|pipe_wait/.test(wchan)) return true;
  const sleeping = /^State:\s+S/m.test(await read("status"));
  const written = Number(/^wchar:\s+(\d+)/m.exec(await read("io"))?.[1] ?? 0);
  return sleeping && written >= 32 * 1024;
}

Deno.test("a stderr nobody reads holds nothing up: SIGTERM reaches the mate and the pilot exits", async () => {
  await using dir = await tempDir();
  const child = ampPilotCommand(["--", ...pipeFillingMate(dir.path)], {
    AMPPILOT_LOGLEVEL: "debug", // every step of the stop is a log line
  }, { stdin: "null" }).spawn();
  const gaveUp = Promise.withResolvers<undefined>();
  const timer = after(30_000, () => gaveUp.resolve(undefined));
  try {
    const writer = await eventually(async () => {
      const pid = Number((await lines(`${dir.path}/writer.pid`))[0]);
      ok(pid > 0 && await blockedOnPipe(pid), "the mate's writer has not filled stderr yet");
      return pid;
    }, 20_000);
    ok(writer > 0);
    child.kill("SIGTERM");
    const status = await Promise.race([child.status, gaveUp.promise]);
    ok(status, "the pilot did not exit within 30 s of SIGTERM with its stderr full");
    equal(status.code, 0);
    match(await Deno.readTextFile(`${dir.path}/term`), /^term\n$/);
  } finally {
    timer.cancel();
    try {
      child.kill("SIGKILL");
    } catch {
      // exited
    }
    await child.status;
    await Promise.all([child.stdout.cancel(), child.stderr.cancel()]);
  }
});
