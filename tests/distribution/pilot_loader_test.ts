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
    ["sh", "sleep", "dirname", "printf", "cp", "chmod", "uname"],
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

const BINARIES = [
  "amp-pilot.amd64",
  "amp-pilot.arm64",
  "amp-pilot.alpine",
  "amp-pilot.alpine-arm64",
];

async function installStandIns(root: string, names: readonly string[] = BINARIES): Promise<void> {
  for (const name of names) {
    const path = `${root}/bin/amp-pilot/${name}`;
    await Deno.writeTextFile(
      path,
      `#!/bin/sh\necho ${name}\nfor a in "$@"; do printf '[%s]\\n' "$a"; done\n`,
    );
    await Deno.chmod(path, 0o755);
  }
}

/**
 * dash, run through a glibc loader and libc kept out of the standard paths (/opt/glibc), so
 * that the root still has no glibc where programs (and pilotLoader) look for it. Unlike busybox
 * sh, which runs its own applets first, dash runs the `uname` found in PATH.
 */
async function privateDash(root: string): Promise<string[]> {
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
  return ["/opt/glibc/ld.so", "--library-path", "/opt/glibc", "/opt/glibc/dash"];
}

type Libc = "glibc" | "musl" | "musl+libc6-compat";

/**
 * A root for one machine and C library, and the shell to run pilotLoader with. An aarch64
 * machine cannot be had here: `uname -m` is a script printing aarch64 (run by dash), and this
 * machine's x86_64 loaders stand in for the aarch64 ones at aarch64's paths (the loader only
 * has to run and say what it is).
 */
async function matrixRoot(
  dir: string,
  arch: "amd64" | "arm64",
  libc: Libc,
): Promise<{ root: string; shell: string[] }> {
  const root = await busyboxRoot(
    `${dir}/${arch}-${libc}-root`,
    ["sh", "sleep", "dirname", "printf", ...(arch === "amd64" ? ["uname"] : [])],
    libc !== "glibc",
  );
  await Deno.mkdir(`${root}/bin/amp-pilot`);
  await Deno.copyFile(LOADER, `${root}/bin/amp-pilot/pilotLoader`);
  await Deno.chmod(`${root}/bin/amp-pilot/pilotLoader`, 0o755);
  if (arch === "arm64") {
    await Deno.writeTextFile(`${root}/bin/uname`, "#!/bin/sh\necho aarch64\n");
    await Deno.chmod(`${root}/bin/uname`, 0o755);
  }
  const glibcLoader = arch === "amd64"
    ? "/lib64/ld-linux-x86-64.so.2"
    : "/lib/ld-linux-aarch64.so.1";
  await Deno.mkdir(`${root}${glibcLoader.slice(0, glibcLoader.lastIndexOf("/"))}`, {
    recursive: true,
  });
  if (libc === "glibc") {
    await Deno.copyFile(
      await Deno.realPath("/lib64/ld-linux-x86-64.so.2"),
      `${root}${glibcLoader}`,
    );
  } else {
    let musl = "/lib/ld-musl-x86_64.so.1";
    if (arch === "arm64") {
      musl = "/lib/ld-musl-aarch64.so.1";
      await Deno.symlink("x86_64-linux-musl/libc.so", `${root}${musl}`);
    }
    if (libc === "musl+libc6-compat") {
      // What Alpine's libc6-compat installs: glibc's names, pointing at musl.
      await Deno.symlink(musl, `${root}${glibcLoader}`);
      await Deno.symlink(musl, `${root}/lib/libc.so.6`);
    }
  }
  return { root, shell: arch === "amd64" ? ["/bin/busybox", "sh"] : await privateDash(root) };
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
  const dash = await privateDash(root);
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

for (const arch of ["amd64", "arm64"] as const) {
  for (const libc of ["glibc", "musl", "musl+libc6-compat"] as const) {
    const want = libc === "glibc"
      ? `amp-pilot.${arch}`
      : arch === "amd64"
      ? "amp-pilot.alpine"
      : "amp-pilot.alpine-arm64";
    Deno.test(`pilotLoader on ${arch} with ${libc} runs ${want}`, async () => {
      await using dir = await tempDir();
      const { root, shell } = await matrixRoot(dir.path, arch, libc);
      await installStandIns(root);
      const r = await chroot(root, shell, ARGS);
      equal(r.code, 0, r.err);
      deepEqual(r.out, expected(want));
    });
  }
}

Deno.test("pilotLoader says so on a machine it has no binary for", async () => {
  await using dir = await tempDir();
  const { root, shell } = await matrixRoot(dir.path, "arm64", "musl");
  await Deno.writeTextFile(`${root}/bin/uname`, "#!/bin/sh\necho riscv64\n");
  await installStandIns(root);
  const r = await chroot(root, shell, []);
  equal(r.code, 127);
  match(
    r.err,
    /^pilotLoader: no amp-pilot for this machine \(riscv64\); there are x86_64 and aarch64\n$/,
  );
});

Deno.test("pilotLoader on arm64 musl without the alpine-arm64 binary says which one is missing", async () => {
  await using dir = await tempDir();
  const { root, shell } = await matrixRoot(dir.path, "arm64", "musl+libc6-compat");
  await installStandIns(root, ["amp-pilot.arm64", "amp-pilot.alpine"]);
  const r = await chroot(root, shell, [], { AMPPILOT_LOADER_WAIT: "1" });
  equal(r.code, 127);
  match(
    r.err,
    /this system has no glibc \(\/lib\/ld-linux-aarch64\.so\.1\) and \/bin\/amp-pilot has no amp-pilot\.alpine-arm64 after 1s/,
  );
});

Deno.test("pilotLoader without glibc waits for amp-pilot.alpine when amp-pilot.amd64 comes first", async () => {
  await using dir = await tempDir();
  const root = await makeRoot(dir.path, "musl");
  // The order the release's tarball unpacks in: the glibc binary first.
  await installStandIns(root, ["amp-pilot.amd64"]);
  const late = chroot(root, ["/bin/busybox", "sh"], ["x"], { AMPPILOT_LOADER_WAIT: "30" });
  await new Promise((r) => setTimeout(r, 1500));
  await installStandIns(root, ["amp-pilot.alpine"]);
  const r = await late;
  equal(r.code, 0, r.err);
  deepEqual(r.out, ["amp-pilot.alpine", "[x]"]);

  await using other = await tempDir();
  const none = await makeRoot(other.path, "musl");
  await installStandIns(none, ["amp-pilot.amd64"]);
  const gaveUp = await chroot(none, ["/bin/busybox", "sh"], [], { AMPPILOT_LOADER_WAIT: "1" });
  equal(gaveUp.code, 127);
  match(
    gaveUp.err,
    /^pilotLoader: this system has no glibc \(\/lib64\/ld-linux-x86-64\.so\.2\) and \/bin\/amp-pilot has no amp-pilot\.alpine after 1s\n$/,
  );
});

Deno.test("pilotLoader falls back to amp-pilot.alpine on glibc when amd64 is absent", async () => {
  await using dir = await tempDir();
  const root = await makeRoot(dir.path, "glibc");
  await installStandIns(root, ["amp-pilot.arm64", "amp-pilot.alpine", "amp-pilot.alpine-arm64"]);
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
