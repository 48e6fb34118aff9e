import { deepEqual, equal, match, rejects } from "node:assert/strict";
import denoJson from "../../deno.json" with { type: "json" };
import { dockerSocket } from "../support/docker.ts";
import { tempDir } from "../support/pilot.ts";
import { buildReleaseWithStandIn } from "../support/release.ts";
import { busyboxRoot } from "../support/roots.ts";

const RELEASE = new URL("../../scripts/release.ts", import.meta.url).pathname;
const VERSION = denoJson.version;
const APPLETS = [
  "sh",
  "id",
  "mktemp",
  "awk",
  "tail",
  "tar",
  "mkdir",
  "cp",
  "grep",
  "chmod",
  "mv",
  "rm",
  "cat",
  "echo",
  "ls",
  "sleep",
  "dirname",
  "printf",
];

async function run(cmd: string, args: string[], env?: Record<string, string>) {
  const out = await new Deno.Command(cmd, { args, env, stdout: "piped", stderr: "piped" }).output();
  const d = new TextDecoder();
  return { code: out.code, out: d.decode(out.stdout), err: d.decode(out.stderr) };
}

Deno.test("deno task release stops with a clear message when denort cannot be had", async () => {
  await using dir = await tempDir();
  const r = await run(Deno.execPath(), [
    "run",
    "--allow-all",
    "--frozen",
    RELEASE,
    "--out",
    `${dir.path}/out`,
  ], {
    DENORT_BIN: "/nonexistent/denort",
  });
  equal(r.code, 1);
  equal(
    r.err.trim(),
    "release: DENORT_BIN=/nonexistent/denort: no such file; expected a denort binary",
  );
  await rejects(Deno.stat(`${dir.path}/out`), Deno.errors.NotFound, "nothing was written");
});

Deno.test("deno task release refuses a denort that is not one, and a folder it would empty", async (t) => {
  await using dir = await tempDir();
  const release = (env: Record<string, string>, ...args: string[]) =>
    run(Deno.execPath(), ["run", "--allow-all", "--frozen", RELEASE, ...args], env);
  await t.step("a text file", async () => {
    const r = await release({ DENORT_BIN: RELEASE }, "--arch", "amd64", "--out", `${dir.path}/a`);
    equal(r.code, 1);
    equal(
      r.err.trim(),
      `release: DENORT_BIN=${RELEASE}: not an ELF executable; expected denort of Deno ` +
        `${Deno.version.deno} for x86_64-unknown-linux-gnu`,
    );
  });
  await t.step("an executable for another machine", async () => {
    const r = await release(
      { DENORT_BIN_ARM64: "/bin/true" },
      "--arch",
      "arm64",
      "--out",
      `${dir.path}/b`,
    );
    equal(r.code, 1);
    match(
      r.err,
      /^release: DENORT_BIN_ARM64=\/bin\/true: an executable for another machine \(ELF machine 62\); expected denort of Deno [\d.]+ for aarch64-unknown-linux-gnu\n$/,
    );
  });
  await t.step("some other program: the compiled binary is tried", async () => {
    const r = await release(
      { DENORT_BIN: "/bin/true" },
      "--arch",
      "amd64",
      "--out",
      `${dir.path}/c`,
    );
    equal(r.code, 1);
    match(
      r.err,
      /^release: the binary compiled with DENORT_BIN=\/bin\/true does not run amp-pilot \(its `version` exited 0 saying ""\); expected denort of Deno/,
    );
  });
  await t.step("--out a folder of other files", async () => {
    await Deno.mkdir(`${dir.path}/notes`);
    await Deno.writeTextFile(`${dir.path}/notes/mine.txt`, "keep me");
    const r = await release(
      {},
      "--arch",
      "amd64",
      "--binary",
      "/bin/true",
      "--out",
      `${dir.path}/notes`,
    );
    equal(r.code, 1);
    match(r.err, /^release: --out .*\/notes: the folder holds 1 file\(s\) and no earlier release/);
    equal(await Deno.readTextFile(`${dir.path}/notes/mine.txt`), "keep me");
  });
});

/** The first bytes of an ELF file say its machine: 62 is x86-64, 183 is AArch64. */
async function elfMachine(path: string): Promise<number> {
  const head = (await Deno.readFile(path)).subarray(0, 20);
  return new DataView(head.buffer, head.byteOffset).getUint16(18, true);
}

/** The files of an Alpine artefact's payload, unpacked into `into`. */
async function unpackPayload(artefact: string, into: string): Promise<void> {
  await Deno.mkdir(into, { recursive: true });
  const r = await run("sh", [
    "-c",
    `tail -n +$(awk '/^__AMP_PILOT_PAYLOAD__$/ { print NR + 1; exit 0 }' ${artefact}) ${artefact}` +
    ` | tar -xzf - -C ${into}`,
  ]);
  equal(r.code, 0, r.err);
}

Deno.test("release artefacts: both architectures, the bundle, licence and notices in every tarball, SHA256SUMS over every file", async () => {
  await using dir = await tempDir();
  // The stand-in takes the place of both binaries (tests/support/release.ts). The aarch64 glibc
  // runtime is real: Debian's libc6-arm64-cross and libgcc-s1-arm64-cross.
  const { dist, out } = await buildReleaseWithStandIn(dir.path, ["amd64", "arm64"]);
  const tarballs = [
    `amp-pilot.amd64-${VERSION}.tgz`,
    `amp-pilot.alpine-${VERSION}.tgz`,
    `amp-pilot.arm64-${VERSION}.tgz`,
    `amp-pilot.alpine-arm64-${VERSION}.tgz`,
    `amp-pilot-${VERSION}.tgz`,
  ];
  const binaries = [
    "amp-pilot.amd64",
    "amp-pilot.alpine",
    "amp-pilot.arm64",
    "amp-pilot.alpine-arm64",
  ];
  const licences = ["LICENSE", "THIRD_PARTY_NOTICES.md"];
  // The bundle the binaries are compiled from, published for `deno run <URL>` (scripts/bundle.ts).
  const scripts = [
    "amp-pilot.js",
    "amp-pilot.dependency_list.js",
  ];
  deepEqual(out.trim().split("\n").map((l) => l.slice(dist.length + 1)), [
    ...tarballs,
    ...binaries,
    "pilotLoader",
    ...scripts,
    ...licences,
    "SHA256SUMS",
  ]);
  const sums = await run("sh", ["-c", `cd ${dist} && sha256sum -c SHA256SUMS`]);
  equal(sums.code, 0, sums.out + sums.err);
  const summed = (await Deno.readTextFile(`${dist}/SHA256SUMS`)).trim().split("\n")
    .map((l) => l.split("  ")[1]).sort();
  const files = [];
  for await (const e of Deno.readDir(dist)) if (e.name !== "SHA256SUMS") files.push(e.name);
  deepEqual(summed, files.sort(), "SHA256SUMS covers every file of the release");

  for (const [i, tarball] of tarballs.entries()) {
    const listing = await run("tar", ["-tzf", `${dist}/${tarball}`]);
    const want = i < 4 ? [binaries[i]!, ...licences] : [...binaries, "pilotLoader", ...licences];
    deepEqual(listing.out.trim().split("\n").sort(), want.sort(), tarball);
  }
  const notices = await Deno.readTextFile(`${dist}/THIRD_PARTY_NOTICES.md`);
  for (const machine of ["x86_64", "aarch64"]) {
    match(notices, new RegExp(`\`libc\\.so\\.6\` \\(${machine}\\): Debian package libc6`));
    match(notices, new RegExp(`\`libgcc_s\\.so\\.1\` \\(${machine}\\): Debian package libgcc-s1`));
  }
  match(await Deno.readTextFile(`${dist}/LICENSE`), /Apache License\s+Version 2\.0/);

  // Each Alpine artefact carries the glibc runtime of its own architecture, and the licences.
  for (
    const [artefact, machine] of [["amp-pilot.alpine", 62], [
      "amp-pilot.alpine-arm64",
      183,
    ]] as const
  ) {
    const payload = `${dir.path}/payload-${artefact}`;
    await unpackPayload(`${dist}/${artefact}`, payload);
    equal(await elfMachine(`${payload}/loader`), machine, `${artefact}: loader`);
    equal(await elfMachine(`${payload}/lib/libc.so.6`), machine, `${artefact}: libc.so.6`);
    equal(await elfMachine(`${payload}/lib/libgcc_s.so.1`), machine, `${artefact}: libgcc_s`);
    equal(await Deno.readTextFile(`${payload}/THIRD_PARTY_NOTICES.md`), notices);
  }
  const wrapperArm = new TextDecoder().decode(
    (await Deno.readFile(`${dist}/amp-pilot.alpine-arm64`)).subarray(0, 4096),
  );
  match(wrapperArm, /^machine=aarch64$/m);
  match(wrapperArm, /^loader=\/lib\/ld-linux-aarch64\.so\.1$/m);
});

const WRAPPER_APPLETS = [...APPLETS, "uname", "ln", "du", "wc"];

for (const compat of [false, true]) {
  Deno.test(`amp-pilot.alpine on a musl root${compat ? " with libc6-compat's symlinks to musl" : ""}: the seed's lines, then installed once`, async () => {
    await using dir = await tempDir();
    const { dist } = await buildReleaseWithStandIn(dir.path);
    const root = await busyboxRoot(`${dir.path}/alpine-root`, WRAPPER_APPLETS);
    const noGlibc = await run("/usr/sbin/chroot", [
      root,
      "/bin/sh",
      "-c",
      "ls /lib64 2>&1 || true",
    ]);
    match(noGlibc.out, /No such file or directory/);
    if (compat) {
      // What Alpine's libc6-compat installs: glibc's names, pointing at musl.
      await Deno.mkdir(`${root}/lib64`);
      for (
        const link of ["/lib64/ld-linux-x86-64.so.2", "/lib/ld-linux-x86-64.so.2", "/lib/libc.so.6"]
      ) {
        await Deno.symlink("/lib/ld-musl-x86_64.so.1", `${root}${link}`);
      }
    }
    // The seed's Dockerfile lines, as written, inside the musl root.
    await Deno.copyFile(
      `${dist}/amp-pilot.alpine-${VERSION}.tgz`,
      `${root}/tmp/amp-pilot.alpine.tgz`,
    );
    const seed = await run("/usr/sbin/chroot", [
      root,
      "/bin/sh",
      "-c",
      "cd / && tar xvz -f /tmp/amp-pilot.alpine.tgz && mv ./amp-pilot.alpine /bin/",
    ]);
    equal(seed.code, 0, seed.err);
    for (let i = 0; i < 2; i++) { // the first run installs the glibc runtime, the second reuses it
      const version = await run("/usr/sbin/chroot", [root, "/bin/amp-pilot.alpine", "--version"]);
      equal(version.code, 0, version.err);
      match(version.out, new RegExp(`^deno ${Deno.version.deno.replaceAll(".", "\\.")} `));
    }
    const evaluated = await run("/usr/sbin/chroot", [
      root,
      "/bin/amp-pilot.alpine",
      "eval",
      "console.log(6 * 7)",
    ], {
      DENO_DIR: "/tmp/deno",
    });
    equal(evaluated.out, "42\n", evaluated.err);
    // Installed once: the wrapper may go; the link runs the binary, which was unpacked straight
    // into its place (no second copy), with the licence files beside it.
    const installed = await run("/usr/sbin/chroot", [
      root,
      "/bin/sh",
      "-c",
      `rm /bin/amp-pilot.alpine && /usr/local/bin/amp-pilot --version >/tmp/v && ` +
      `ls /usr/local/lib/amp-pilot/${VERSION} && echo musl shell still works`,
    ]);
    equal(installed.code, 0, installed.err);
    deepEqual(installed.out.trim().split("\n"), [
      "LICENSE",
      "THIRD_PARTY_NOTICES.md",
      "amp-pilot",
      "musl shell still works",
    ]);
  });
}

Deno.test("amp-pilot.alpine as PID 1 of a container from a musl-only root", async () => {
  await using dir = await tempDir();
  const { dist } = await buildReleaseWithStandIn(dir.path);
  const root = await busyboxRoot(`${dir.path}/alpine-root`, WRAPPER_APPLETS);
  await Deno.copyFile(`${dist}/amp-pilot.alpine`, `${root}/bin/amp-pilot.alpine`);
  await Deno.chmod(`${root}/bin/amp-pilot.alpine`, 0o755);
  // The same root as an image (standing in for alpine), the artefact's runtime as PID 1.
  dockerSocket();
  const tag = "amp-pilot-test/alpine-artefact:1";
  const imported = await run("sh", ["-c", `tar -C ${root} -c . | docker import - ${tag}`]);
  equal(imported.code, 0, imported.err);
  try {
    const pid1 = await run("docker", [
      "run",
      "--rm",
      "--network",
      "none",
      "-e",
      "DENO_DIR=/tmp/deno",
      tag,
      "/bin/amp-pilot.alpine",
      "eval",
      "console.log(`pid ${Deno.pid}`)",
    ]);
    equal(pid1.out, "pid 1\n", pid1.err);
  } finally {
    await run("docker", ["rmi", "-f", tag]);
  }
});
