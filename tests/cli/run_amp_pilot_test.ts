import { deepEqual, equal, match } from "node:assert/strict";
import { runAmpPilot } from "../../src/cli/run_amp_pilot.ts";
import type { SignalSource } from "../../src/runtime/run_pilot.ts";
import { eventually } from "../support/eventually.ts";
import { lines, tempDir } from "../support/pilot.ts";

Deno.test("runAmpPilot() runs the mate as amp-pilot run does and returns its exit code", async () => {
  await using dir = await tempDir();
  const code = await runAmpPilot({
    env: { AMPPILOT_STANDALONE: "true", AMPPILOT_STATUSFILE: `${dir.path}/status.json` },
    args: ["sh", "-c", `echo ran > ${dir.path}/out; exit 4`],
  });
  equal(code, 4);
  deepEqual(await lines(`${dir.path}/out`), ["ran"]);
});

Deno.test("runAmpPilot() writes a configuration error to err and returns 2", async () => {
  const written: string[] = [];
  const code = await runAmpPilot({
    env: { AMPPILOT_STANDALONE: "true", AMPPILOT_CHECKPERIOD: "often" },
    args: ["true"],
    err: (text) => written.push(text),
  });
  equal(code, 2);
  equal(written.length, 1);
  match(written[0]!, /^amp-pilot: configuration error: AMPPILOT_CHECKPERIOD="often": expected /);
});

Deno.test("runAmpPilot() takes SIGTERM from the signal source it is given", async () => {
  await using dir = await tempDir();
  const log = `${dir.path}/mate.log`;
  let deliver: ((signal: Deno.Signal) => void) | undefined;
  const signals: SignalSource = { handOff: (handler) => (deliver = handler) };
  const run = runAmpPilot({
    env: { AMPPILOT_STANDALONE: "true", AMPPILOT_STATUSFILE: `${dir.path}/status.json` },
    args: [
      "sh",
      "-c",
      `trap 'echo term >> ${log}; exit 0' TERM; echo up >> ${log}; ` +
      "while :; do sleep 0.1; done",
    ],
    signals,
  });
  await eventually(async () => deepEqual(await lines(log), ["up"]), 15_000);
  deliver!("SIGTERM");
  equal(await run, 0);
  deepEqual(await lines(log), ["up", "term"]);
});
