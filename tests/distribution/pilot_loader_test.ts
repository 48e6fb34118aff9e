import { deepEqual, equal, match } from "node:assert/strict";
import { tempDir } from "../support/pilot.ts";
import { busyboxRoot } from "../support/roots.ts";

const LOADER = new URL("../../distribution/pilotLoader", import.meta.url).pathname;
const ARGS = ["a b", "", `c"d'e`, "$HOME", "*", "--flag=x y"];

/**
 * A root with only busybox (static) and the musl loader — like Alpine — or one with dash and the
 * glibc it links (like Debian). Both get /bin/amp-pilot with the loader and two stand-in
 * binaries that print which one ran and their arguments, one per line.
 */
async function makeRoot(dir: string, kind: "musl" | "glibc"): Promise<string> {
  const root = await busyboxRoot(
    `${dir}/${kind}-root`,
    ["sh", "sleep", "dirname", "printf", "cp", "chmod"],
    kind === "musl",
  );
  await Deno.mkdir(`${root}/bin/amp-pilot`);
  if (kind === "glibc") {
    await Deno.copyFile("/usr/bin/dash", `${root}/bin/dash`);
    await Deno.chmod(`${root}/bin/dash`, 0o755);
    await Deno.mkdir(`${root}/lib64`, { recursive: true });
    await Deno.mkdir(`${root}/lib/x86_64-linux-gnu`, { recursive: true });
    await Deno.copyFile(
      await Deno.realPath("/lib64/ld-linux-x86-64.so.2"),
      `${root}/lib64/ld-linux-x86-64.so.2`,
    );
    await Deno.copyFile(
      await Deno.realPath("/lib/x86_64-linux-gnu/libc.so.6"),
      `${root}/lib/x86_64-linux-gnu/libc.so.6`,
    );
  }
  await Deno.copyFile(LOADER, `${root}/bin/amp-pilot/pilotLoader`);
  await Deno.chmod(`${root}/bin/amp-pilot/pilotLoader`, 0o755);
  return root;
}

async function installStandIns(root: string): Promise<void> {
  for (const name of ["amp-pilot.amd64", "amp-pilot.alpine"]) {
    const path = `${root}/bin/amp-pilot/${name}`;
    await Deno.writeTextFile(
      path,
      `#!/bin/sh\necho ${name}\nfor a in "$@"; do printf '[%s]\\n' "$a"; done\n`,
    );
    await Deno.chmod(path, 0o755);
  }
}

async function chroot(
  root: string,
  shell: string[],
  args: string[],
  env: Record<string, string> = {},
) {
  const { code, stdout, stderr } = await new Deno.Command("/usr/sbin/chroot", {
    args: [root, ...shell, "/bin/amp-pilot/pilotLoader", ...args],
    env: { PATH: "/bin", ...env },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  return { code, out: d.decode(stdout).trim().split("\n"), err: d.decode(stderr) };
}

const expected = (name: string) => [name, ...ARGS.map((a) => `[${a}]`)];

Deno.test("pilotLoader picks amp-pilot.alpine where there is no glibc (busybox sh and dash, musl root)", async () => {
  await using dir = await tempDir();
  const root = await makeRoot(dir.path, "musl");
  await installStandIns(root);
  // dash links glibc: it runs here through a loader and libc kept out of the standard paths
  // (/opt/glibc), so the root still has no glibc where programs (and the loader) look for it.
  await Deno.mkdir(`${root}/opt/glibc`, { recursive: true });
  await Deno.copyFile(
    await Deno.realPath("/lib64/ld-linux-x86-64.so.2"),
    `${root}/opt/glibc/ld.so`,
  );
  await Deno.copyFile(
    await Deno.realPath("/lib/x86_64-linux-gnu/libc.so.6"),
    `${root}/opt/glibc/libc.so.6`,
  );
  await Deno.copyFile("/usr/bin/dash", `${root}/opt/glibc/dash`);
  const dash = ["/opt/glibc/ld.so", "--library-path", "/opt/glibc", "/opt/glibc/dash"];
  for (const shell of [["/bin/busybox", "sh"], dash]) {
    const r = await chroot(root, shell, ARGS);
    equal(r.code, 0, `${shell}: ${r.err}`);
    deepEqual(r.out, expected("amp-pilot.alpine"), shell.join(" "));
  }
});

Deno.test("pilotLoader picks amp-pilot.amd64 where glibc is (dash and busybox sh, glibc root)", async () => {
  await using dir = await tempDir();
  const root = await makeRoot(dir.path, "glibc");
  await installStandIns(root);
  for (const shell of [["/bin/dash"], ["/bin/busybox", "sh"]]) {
    const r = await chroot(root, shell, ARGS);
    equal(r.code, 0, `${shell}: ${r.err}`);
    deepEqual(r.out, expected("amp-pilot.amd64"), shell.join(" "));
  }
});

Deno.test("pilotLoader falls back to amp-pilot.alpine on glibc when amd64 is absent", async () => {
  await using dir = await tempDir();
  const root = await makeRoot(dir.path, "glibc");
  await installStandIns(root);
  await Deno.remove(`${root}/bin/amp-pilot/amp-pilot.amd64`);
  const r = await chroot(root, ["/bin/dash"], ["x"]);
  deepEqual(r.out, ["amp-pilot.alpine", "[x]"]);
});

Deno.test("pilotLoader waits for binaries that appear late, and gives up after the bound", async () => {
  await using dir = await tempDir();
  const root = await makeRoot(dir.path, "musl");
  const late = chroot(root, ["/bin/busybox", "sh"], ["late"], { AMPPILOT_LOADER_WAIT: "10" });
  await new Promise((r) => setTimeout(r, 1500));
  await installStandIns(root);
  const r = await late;
  equal(r.code, 0, r.err);
  deepEqual(r.out, ["amp-pilot.alpine", "[late]"]);

  await using empty = await tempDir();
  const bare = await makeRoot(empty.path, "glibc");
  const started = performance.now();
  const gaveUp = await chroot(bare, ["/bin/dash"], [], { AMPPILOT_LOADER_WAIT: "1" });
  equal(gaveUp.code, 127);
  match(
    gaveUp.err,
    /pilotLoader: no executable amp-pilot\.amd64 or amp-pilot\.alpine in \/bin\/amp-pilot after 1s/,
  );
  equal(performance.now() - started < 5000, true);
  const bad = await chroot(bare, ["/bin/dash"], [], { AMPPILOT_LOADER_WAIT: "soon" });
  equal(bad.code, 2);
  match(bad.err, /AMPPILOT_LOADER_WAIT=soon: expected a whole number of seconds/);
});
