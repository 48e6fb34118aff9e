import { deepEqual, equal, match, ok } from "node:assert/strict";
import {
  missingPermissionFlags,
  permissionProblem,
  PILOT_PERMISSIONS,
} from "../../src/cli/permissions.ts";
import { COMPILE_PERMISSIONS } from "../../scripts/release.ts";
import { tempDir } from "../support/pilot.ts";
import { PILOT_ENTRY } from "../support/entry.ts";

/** `deno run <flags> main.ts <args>` with only PATH and HOME. */
async function denoRun(flags: string[], args: string[]) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--frozen", ...flags, PILOT_ENTRY, ...args],
    env: { PATH: Deno.env.get("PATH") ?? "", HOME: Deno.env.get("HOME") ?? "" },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  return { code, out: d.decode(stdout), err: d.decode(stderr) };
}

const EXACT = "--allow-run --allow-env --allow-net --allow-read --allow-write " +
  "--allow-sys=networkInterfaces,hostname --allow-ffi";

Deno.test("the permissions named are those the release compiles in", () => {
  deepEqual(PILOT_PERMISSIONS.map((p) => p.flag), [...COMPILE_PERMISSIONS]);
});

Deno.test("missingPermissionFlags() names each flag whose permission is not granted", () => {
  deepEqual(missingPermissionFlags(() => true), []);
  equal(permissionProblem(() => true), undefined);
  deepEqual(
    missingPermissionFlags((d) => d.name === "env" || d.name === "read"),
    ["--allow-run", "--allow-net", "--allow-write", "--allow-sys=networkInterfaces,hostname"],
  );
  // The reaper's FFI is optional: it is never asked for.
  deepEqual(missingPermissionFlags((d) => d.name !== "ffi"), []);
});

Deno.test("deno run main.ts without permissions prints one line naming the flags; the mate never starts", async () => {
  await using dir = await tempDir();
  const marker = `${dir.path}/started`;
  for (const args of [[], ["sh", "-c", `touch ${marker}`], ["check"], ["health"]]) {
    const r = await denoRun([], args);
    equal(r.code, 2, JSON.stringify(args));
    equal(r.out, "");
    equal(
      r.err.replace(/^(?!amp-pilot).*\n/gm, ""), // Deno's own notices, if any
      `amp-pilot: Deno permissions missing (--allow-run --allow-env --allow-net --allow-read ` +
        `--allow-write --allow-sys=networkInterfaces,hostname); run it with deno run ` +
        `--allow-all, or exactly ${EXACT}\n`,
    );
    ok(!/NotCapable|\n\s+at /.test(r.err), r.err);
  }
  ok(!(await Deno.stat(marker).then(() => true, () => false)), "the mate ran");
});

Deno.test("deno run main.ts with some permissions names only the missing flags", async () => {
  const r = await denoRun(["--allow-env", "--allow-run", "--allow-ffi"], ["sh", "-c", "exit 3"]);
  equal(r.code, 2);
  match(
    r.err,
    /^amp-pilot: Deno permissions missing \(--allow-net --allow-read --allow-write --allow-sys=networkInterfaces,hostname\); /,
  );
  const exact = await denoRun(EXACT.split(" "), ["sh", "-c", "echo ran; exit 3"]);
  deepEqual([exact.code, exact.out], [3, "ran\n"]);
});

Deno.test("deno run main.ts version and --help need no permission", async () => {
  const version = await denoRun([], ["version"]);
  equal(version.code, 0, version.err);
  match(version.out, /^amp-pilot \d+\.\d+\.\d+/);
  const help = await denoRun([], ["--help"]);
  equal(help.code, 0, help.err);
  match(help.out, /^amp-pilot: container entrypoint/);
  // check's help lists the settings (a module of its own, loaded for it).
  const checkHelp = await denoRun([], ["check", "--help"]);
  equal(checkHelp.code, 0, checkHelp.err);
  match(checkHelp.out, /AMPPILOT_LOGLEVEL/);
});
