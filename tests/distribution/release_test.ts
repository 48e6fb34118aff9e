import { deepEqual, equal, match } from "node:assert/strict";
import denoJson from "../../deno.json" with { type: "json" };
import { dockerSocket } from "../support/docker.ts";
import { tempDir } from "../support/pilot.ts";
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
  const r = await run(Deno.execPath(), [
    "run",
    "--allow-all",
    "--frozen",
    RELEASE,
    "--out",
    "/nonexistent/x",
  ], {
    DENORT_BIN: "/nonexistent/denort",
  });
  equal(r.code, 1);
  equal(
    r.err.trim(),
    "release: DENORT_BIN=/nonexistent/denort: no such file; expected a denort binary",
  );
});

Deno.test("release artefacts: tarballs, SHA256SUMS, and amp-pilot.alpine on a musl-only root", async () => {
  await using dir = await tempDir();
  const dist = `${dir.path}/dist`;
  // deno compile cannot run here (no denort): a clearly named development stand-in — the Deno
  // runtime binary itself, which has the same glibc needs as denort — takes the binary's place.
  const standIn = `${dir.path}/deno-runtime-standin`;
  await Deno.copyFile(Deno.execPath(), standIn);
  const built = await run(Deno.execPath(), [
    "run",
    "--allow-all",
    "--frozen",
    RELEASE,
    "--binary",
    standIn,
    "--out",
    dist,
  ]);
  equal(built.code, 0, built.err);
  deepEqual(built.out.trim().split("\n").map((l) => l.slice(dist.length + 1)), [
    `amp-pilot.amd64-${VERSION}.tgz`,
    `amp-pilot.alpine-${VERSION}.tgz`,
    `amp-pilot-${VERSION}.tgz`,
    "SHA256SUMS",
  ]);
  const sums = await run("sh", ["-c", `cd ${dist} && sha256sum -c SHA256SUMS`]);
  equal(sums.code, 0, sums.out + sums.err);
  const listing = await run("tar", ["-tzf", `${dist}/amp-pilot-${VERSION}.tgz`]);
  deepEqual(listing.out.trim().split("\n"), ["amp-pilot.amd64", "amp-pilot.alpine", "pilotLoader"]);

  const root = await busyboxRoot(`${dir.path}/alpine-root`, APPLETS);
  const noGlibc = await run("/usr/sbin/chroot", [root, "/bin/sh", "-c", "ls /lib64 2>&1 || true"]);
  match(noGlibc.out, /No such file or directory/);
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
  const shell = await run("/usr/sbin/chroot", [
    root,
    "/bin/sh",
    "-c",
    "echo musl shell still works",
  ]);
  equal(shell.out, "musl shell still works\n");

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
