// deno-lint-ignore-file no-console -- a command-line script that reports what it builds
/**
 * `deno task release`: bundles amp-pilot into one JavaScript file (scripts/bundle.ts: `amp-pilot.js`
 * and the files beside it, published for `deno run <URL>`), compiles that bundle for x86_64 and
 * aarch64 Linux with the least permissions it needs, builds the glibc and Alpine artefacts of each
 * and their tarballs (each with LICENSE and THIRD_PARTY_NOTICES.md), and writes SHA256SUMS over
 * every file, all in `dist/`.
 *
 * `deno compile` needs Deno's base runtime (`denort`) of each target, which it downloads from
 * dl.deno.land: where that site cannot be reached, set `DENORT_BIN` (x86_64) and
 * `DENORT_BIN_ARM64` (aarch64) to denort binaries of the same Deno version.
 *
 * The Alpine artefacts carry Debian's glibc runtime of their architecture: the machine's own
 * (on a Debian or Ubuntu of that architecture), else Debian's cross packages
 * (`libc6-arm64-cross libgcc-s1-arm64-cross` under /usr/aarch64-linux-gnu), or the root that
 * `GLIBC_SYSROOT_AMD64` / `GLIBC_SYSROOT_ARM64` names.
 *
 * Options:
 *   --arch <list>            amd64, arm64 or amd64,arm64 (the default)
 *   --binary <path>          package this file as the amd64 binary instead of compiling (used by
 *   --binary-arm64 <path>    the tests with a clearly named development stand-in, since denort
 *                            cannot be downloaded there); the same for arm64
 *   --out <dir>              write there instead of dist/
 *
 * @module
 */

import { parseArgs } from "node:util";
import denoJson from "../deno.json" with { type: "json" };
import { type BundleBuild, bundleProgram } from "./bundle.ts";

const ROOT = new URL("../", import.meta.url).pathname;
/** The glibc runtime a Deno binary links (ldd of deno 2.9.6). */
const RUNTIME_LIBS = [
  "libc.so.6",
  "libm.so.6",
  "libdl.so.2",
  "librt.so.1",
  "libpthread.so.0",
  "libgcc_s.so.1",
];

/** The two architectures a release is built for. */
export type Arch = "amd64" | "arm64";

/** What differs between the architectures. */
export interface Target {
  /** Docker's and Debian's name of the architecture. */
  readonly arch: Arch;
  /** `deno compile --target`. */
  readonly rust: string;
  /** `uname -m`. */
  readonly machine: string;
  /** Debian's multiarch triplet: the folder glibc's loader searches by default. */
  readonly triplet: string;
  /** The ELF interpreter of a glibc binary. */
  readonly loader: string;
  /** The artefact for glibc systems. */
  readonly glibc: string;
  /** The artefact for musl systems (Alpine). */
  readonly alpine: string;
  /** The variable naming a denort binary for this target. */
  readonly denortEnv: string;
  /** The variable naming a root holding this target's glibc runtime. */
  readonly sysrootEnv: string;
  /** Where Debian's cross packages put this target's runtime. */
  readonly crossRoot: string;
}

/** The release targets, by Docker's architecture names. */
export const TARGETS: Readonly<Record<Arch, Target>> = {
  amd64: {
    arch: "amd64",
    rust: "x86_64-unknown-linux-gnu",
    machine: "x86_64",
    triplet: "x86_64-linux-gnu",
    loader: "/lib64/ld-linux-x86-64.so.2",
    glibc: "amp-pilot.amd64",
    alpine: "amp-pilot.alpine",
    denortEnv: "DENORT_BIN",
    sysrootEnv: "GLIBC_SYSROOT_AMD64",
    crossRoot: "/usr/x86_64-linux-gnu",
  },
  arm64: {
    arch: "arm64",
    rust: "aarch64-unknown-linux-gnu",
    machine: "aarch64",
    triplet: "aarch64-linux-gnu",
    loader: "/lib/ld-linux-aarch64.so.1",
    glibc: "amp-pilot.arm64",
    alpine: "amp-pilot.alpine-arm64",
    denortEnv: "DENORT_BIN_ARM64",
    sysrootEnv: "GLIBC_SYSROOT_ARM64",
    crossRoot: "/usr/aarch64-linux-gnu",
  },
};

/**
 * The permissions baked into the binary. The mate's command, Consul, Kafka and the files come
 * from the configuration, so they cannot be scoped further at build time; nothing else (no
 * remote imports, no other FFI use) is granted.
 */
export const COMPILE_PERMISSIONS: readonly string[] = [
  "--allow-run", // the mate, the ready command, and signals to their process groups
  "--allow-env", // the configuration, and the mate's inherited environment
  "--allow-net", // Consul, Kafka, ZooKeeper, the Docker socket
  "--allow-read", // the conffile, the token file, the status file, unix sockets
  "--allow-write", // the status file, unix sockets
  "--allow-sys=networkInterfaces,hostname",
  "--allow-ffi", // the PID-1 zombie reaper (libc's waitid/waitpid)
];

class ReleaseError extends Error {}

async function run(
  cmd: string,
  args: string[],
  options: { env?: Record<string, string>; clearEnv?: boolean } = {},
): Promise<string> {
  const out = await new Deno.Command(cmd, { args, ...options, stdout: "piped", stderr: "piped" })
    .output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  if (!out.success) throw new ReleaseError(`${cmd} ${args.join(" ")} failed:\n${text.trim()}`);
  return text;
}

/** ELF's e_machine of each target: what a denort for it must say. */
const ELF_MACHINES: Readonly<Record<string, number>> = { x86_64: 62, aarch64: 183 };

/** Refuses a denort that is missing or no ELF executable for the target's machine. */
async function checkDenort(target: Target, denort: string): Promise<void> {
  const where = `${target.denortEnv}=${denort}`;
  let head: Uint8Array;
  try {
    using file = await Deno.open(denort);
    head = new Uint8Array(20);
    let read = 0;
    while (read < head.length) {
      const n = await file.read(head.subarray(read));
      if (n === null) break;
      read += n;
    }
    head = head.subarray(0, read);
  } catch {
    throw new ReleaseError(`${where}: no such file; expected a denort binary`);
  }
  const elf = head.length === 20 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c &&
    head[3] === 0x46;
  if (!elf) {
    throw new ReleaseError(
      `${where}: not an ELF executable; expected denort of Deno ${Deno.version.deno} for ` +
        target.rust,
    );
  }
  const machine = new DataView(head.buffer, head.byteOffset).getUint16(18, true);
  if (machine !== ELF_MACHINES[target.machine]) {
    throw new ReleaseError(
      `${where}: an executable for another machine (ELF machine ${machine}); expected denort ` +
        `of Deno ${Deno.version.deno} for ${target.rust}`,
    );
  }
}

/**
 * Runs `amp-pilot version` with the compiled binary when it is for this machine: a denort that
 * is some other program (an ELF for the right machine all the same) makes a binary that runs,
 * but not amp-pilot.
 */
async function checkCompiled(target: Target, denort: string, output: string): Promise<void> {
  if (Deno.build.arch !== target.machine) return;
  const ran = await new Deno.Command(output, {
    args: ["version"],
    stdout: "piped",
    stderr: "piped",
    clearEnv: true,
  }).output().catch((e: Error) => ({ code: -1, stdout: new Uint8Array(), stderr: e.message }));
  const text = typeof ran.stderr === "string"
    ? ran.stderr
    : new TextDecoder().decode(ran.stdout) + new TextDecoder().decode(ran.stderr);
  if (ran.code !== 0 || !/^amp-pilot \d/.test(text)) {
    throw new ReleaseError(
      `the binary compiled with ${target.denortEnv}=${denort} does not run amp-pilot (its ` +
        `\`version\` exited ${ran.code} saying ${JSON.stringify(text.slice(0, 80))}); expected ` +
        `denort of Deno ${Deno.version.deno} for ${target.rust}`,
    );
  }
}

async function compile(target: Target, bundle: BundleBuild, output: string): Promise<void> {
  const denort = Deno.env.get(target.denortEnv);
  if (denort) await checkDenort(target, denort);
  // deno compile reads DENORT_BIN itself: give it this target's denort, or none.
  const env = Deno.env.toObject();
  delete env.DENORT_BIN;
  if (denort) env.DENORT_BIN = denort;
  // The files the bundle imports with a non-literal specifier, which deno compile cannot find.
  const includes = bundle.satellites.map((path) => `--include=${path}`);
  try {
    await run(Deno.execPath(), [
      "compile",
      "--frozen",
      "--no-check",
      `--target=${target.rust}`,
      ...COMPILE_PERMISSIONS,
      ...includes,
      `--output=${output}`,
      bundle.main,
    ], { env, clearEnv: true });
  } catch (e) {
    if (denort) {
      const last = (e as Error).message.trim().split("\n").at(-1)!.trim();
      throw new ReleaseError(
        `deno compile with ${target.denortEnv}=${denort} failed: ${last}; expected denort of ` +
          `Deno ${Deno.version.deno} for ${target.rust}`,
      );
    }
    if (/dl\.deno\.land|denort|download/i.test((e as Error).message)) {
      throw new ReleaseError(
        "deno compile needs Deno's base runtime (denort), downloaded from dl.deno.land, which " +
          `cannot be reached here. Set ${target.denortEnv} to a denort binary of Deno ` +
          `${Deno.version.deno} (from denort-${target.rust}.zip of the Deno release), or run ` +
          "`deno task release` on a networked machine.",
      );
    }
    throw e;
  }
  if (denort) await checkCompiled(target, denort, output);
}

/** The folders holding a target's glibc runtime, and the variable that would name another. */
function runtimeDirs(target: Target): string[] {
  const root = Deno.env.get(target.sysrootEnv);
  const { triplet } = target;
  if (root) {
    return [`lib/${triplet}`, `usr/lib/${triplet}`, "lib", "lib64", "usr/lib"]
      .map((d) => `${root}/${d}`);
  }
  if (Deno.build.arch === target.machine) {
    return [`/lib/${triplet}`, `/usr/lib/${triplet}`, "/lib64", "/usr/lib64", "/lib"];
  }
  return [`${target.crossRoot}/lib`, `${target.crossRoot}/lib64`];
}

async function findRuntimeFile(target: Target, name: string): Promise<string> {
  const dirs = runtimeDirs(target);
  for (const dir of dirs) {
    try {
      await Deno.stat(`${dir}/${name}`);
      return `${dir}/${name}`;
    } catch { /* next */ }
  }
  throw new ReleaseError(
    `cannot find ${name} for ${target.alpine} in ${dirs.join(", ")}: install Debian's libc6 ` +
      `and libgcc-s1 of ${target.machine} (on another architecture: libc6-${target.arch}-cross ` +
      `and libgcc-s1-${target.arch}-cross), or set ${target.sysrootEnv} to a root holding them`,
  );
}

/** "libc6 2.36-9+deb12u14 (source glibc 2.36-9+deb12u14)" for a file dpkg knows, else null. */
async function debianPackage(path: string): Promise<string | null> {
  try {
    const owner = (await run("dpkg-query", ["-S", path])).split(":")[0]!.trim();
    const [version, source, sourceVersion] = (await run("dpkg-query", [
      "-W",
      "-f",
      "${Version}\t${source:Package}\t${source:Version}",
      owner,
    ])).split("\t");
    return `Debian package ${owner} ${version} (source package ${source} ${sourceVersion}: ` +
      `https://snapshot.debian.org/package/${source}/${sourceVersion}/)`;
  } catch {
    return null;
  }
}

/** The files of a target's glibc runtime, and where each came from (for the notices). */
async function gatherRuntime(target: Target): Promise<{ files: string[]; provenance: string[] }> {
  const files: string[] = [];
  const provenance: string[] = [];
  for (const name of [...RUNTIME_LIBS, target.loader.slice(target.loader.lastIndexOf("/") + 1)]) {
    const path = await findRuntimeFile(target, name);
    files.push(path);
    const origin = await debianPackage(path) ?? await debianPackage(await Deno.realPath(path));
    provenance.push(`- \`${name}\` (${target.machine}): ${origin ?? `copied from ${path}`}`);
  }
  return { files, provenance };
}

/**
 * An Alpine artefact: the wrapper script with a gzipped tar appended, holding the binary, the
 * glibc runtime (the loader last in `runtime`) and the licence files.
 */
async function buildAlpine(
  target: Target,
  binary: string,
  runtime: string[],
  licences: string[],
  output: string,
  version: string,
): Promise<void> {
  const stage = await Deno.makeTempDir({ prefix: "amp-pilot-alpine-" });
  try {
    await Deno.mkdir(`${stage}/lib`);
    const libs = runtime.slice(0, -1);
    for (const lib of libs) {
      await Deno.copyFile(
        await Deno.realPath(lib),
        `${stage}/lib/${lib.slice(lib.lastIndexOf("/") + 1)}`,
      );
    }
    await Deno.copyFile(await Deno.realPath(runtime.at(-1)!), `${stage}/loader`);
    await Deno.copyFile(binary, `${stage}/amp-pilot`);
    for (const file of licences) {
      await Deno.copyFile(file, `${stage}/${file.slice(file.lastIndexOf("/") + 1)}`);
    }
    await tarball(`${stage}.tgz`, stage, ["."]);
    const wrapper = (await Deno.readTextFile(`${ROOT}distribution/alpine_wrapper.sh`))
      .replace("__AMP_PILOT_VERSION__", version)
      .replace("__AMP_PILOT_MACHINE__", target.machine)
      .replace("__AMP_PILOT_LOADER__", target.loader)
      .replace("__AMP_PILOT_TRIPLET__", target.triplet);
    const payload = await Deno.readFile(`${stage}.tgz`);
    const head = new TextEncoder().encode(wrapper);
    const file = new Uint8Array(head.length + payload.length);
    file.set(head);
    file.set(payload, head.length);
    await Deno.writeFile(output, file, { mode: 0o755 });
  } finally {
    await Deno.remove(stage, { recursive: true });
    await Deno.remove(`${stage}.tgz`).catch(() => {});
  }
}

let gnuTar: Promise<boolean> | undefined;

/**
 * A gzipped tar of `files` (relative to `dir`). GNU tar records root as the owner whoever
 * builds; busybox tar (the tests' stand-in build image) cannot.
 */
async function tarball(output: string, dir: string, files: string[]): Promise<void> {
  gnuTar ??= run("tar", ["--version"]).then((v) => v.includes("GNU tar"), () => false);
  const owner = await gnuTar ? ["--owner=0", "--group=0", "--numeric-owner"] : [];
  await run("tar", [...owner, "-czf", output, "-C", dir, ...files]);
}

async function sha256(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The project's notices, and where the glibc runtime of the Alpine artefacts came from. */
async function writeNotices(output: string, provenance: string[]): Promise<void> {
  const base = await Deno.readTextFile(`${ROOT}THIRD_PARTY_NOTICES.md`);
  const section = provenance.length === 0 ? "" : [
    "",
    "## The glibc runtime in this release's Alpine artefacts",
    "",
    "Copied unmodified from these files of the build machine; the corresponding source code is",
    "at the addresses given (the GNU C Library is under LGPL-2.1-or-later, libgcc under",
    "GPL-3.0-or-later with the GCC Runtime Library Exception):",
    "",
    ...provenance,
    "",
  ].join("\n");
  await Deno.writeTextFile(output, base + section);
}

/** What to build: the architectures, and any binaries given instead of compiled. */
export interface ReleaseOptions {
  /** The architectures (default both). */
  readonly arches?: readonly Arch[];
  /** A file to package as an architecture's binary instead of compiling it. */
  readonly binaries?: Partial<Record<Arch, string>>;
  /** The output folder (default `dist/`). */
  readonly out?: string;
}

/** Builds everything into the output folder and returns the files written, SHA256SUMS last. */
export async function release(options: ReleaseOptions = {}): Promise<string[]> {
  const dist = options.out ?? `${ROOT}dist`;
  const arches = options.arches ?? ["amd64", "arm64"];
  const version = denoJson.version;
  for (const arch of arches) { // before anything is written
    const denort = Deno.env.get(TARGETS[arch].denortEnv);
    if (denort && !options.binaries?.[arch]) await checkDenort(TARGETS[arch], denort);
  }
  await checkOutputFolder(dist, options.out === undefined);
  await Deno.remove(dist, { recursive: true }).catch(() => {});
  await Deno.mkdir(dist, { recursive: true });
  const runtimes = new Map<Arch, string[]>();
  const provenance: string[] = [];
  for (const arch of arches) { // first, so that a missing runtime stops before compiling
    const runtime = await gatherRuntime(TARGETS[arch]);
    runtimes.set(arch, runtime.files);
    provenance.push(...runtime.provenance);
  }
  const licences = [`${dist}/LICENSE`, `${dist}/THIRD_PARTY_NOTICES.md`];
  await Deno.copyFile(`${ROOT}LICENSE`, licences[0]!);
  await writeNotices(licences[1]!, provenance);
  const names = licences.map((f) => f.slice(dist.length + 1));
  const bundle = await bundleProgram(dist);
  const scripts = [bundle.main, ...bundle.satellites].map((f) => f.slice(dist.length + 1));
  const tarballs: Record<string, string[]> = {};
  const folder: string[] = [];
  for (const arch of arches) {
    const target = TARGETS[arch];
    const glibc = `${dist}/${target.glibc}`;
    const given = options.binaries?.[arch];
    if (given) await Deno.copyFile(given, glibc);
    else await compile(target, bundle, glibc);
    await Deno.chmod(glibc, 0o755);
    const alpine = `${dist}/${target.alpine}`;
    await buildAlpine(target, glibc, runtimes.get(arch)!, licences, alpine, version);
    tarballs[`${target.glibc}-${version}.tgz`] = [target.glibc, ...names];
    tarballs[`${target.alpine}-${version}.tgz`] = [target.alpine, ...names];
    folder.push(target.glibc, target.alpine);
  }
  await Deno.copyFile(`${ROOT}distribution/pilotLoader`, `${dist}/pilotLoader`);
  await Deno.chmod(`${dist}/pilotLoader`, 0o755);
  tarballs[`amp-pilot-${version}.tgz`] = [...folder, "pilotLoader", ...names];
  for (const [name, files] of Object.entries(tarballs)) {
    await tarball(`${dist}/${name}`, dist, files);
  }
  const artefacts = [...Object.keys(tarballs), ...folder, "pilotLoader", ...scripts, ...names];
  const sums = [];
  for (const name of artefacts) sums.push(`${await sha256(`${dist}/${name}`)}  ${name}`);
  await Deno.writeTextFile(`${dist}/SHA256SUMS`, `${sums.join("\n")}\n`);
  return [...artefacts, "SHA256SUMS"];
}

/**
 * Refuses to empty a folder given with `--out` that holds files and no earlier release (no
 * SHA256SUMS): `--out .` would otherwise delete the checkout. The default `dist/` is the
 * release's own.
 */
async function checkOutputFolder(dist: string, isDefault: boolean): Promise<void> {
  if (isDefault) return;
  const entries: string[] = [];
  try {
    for await (const entry of Deno.readDir(dist)) entries.push(entry.name);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw new ReleaseError(`--out ${dist}: ${(e as Error).message}; expected a folder`);
  }
  if (entries.length === 0 || entries.includes("SHA256SUMS")) return;
  throw new ReleaseError(
    `--out ${dist}: the folder holds ${entries.length} file(s) and no earlier release (no ` +
      "SHA256SUMS), and it would be emptied; expected a new or empty folder, or an earlier " +
      "release's",
  );
}

function parseArches(value: string | undefined): Arch[] | undefined {
  if (value === undefined) return undefined;
  const arches = value.split(",").map((a) => a.trim()).filter((a) => a !== "");
  const bad = arches.filter((a) => !(a in TARGETS));
  if (bad.length > 0 || arches.length === 0) {
    throw new ReleaseError(`--arch ${value}: expected amd64, arm64 or amd64,arm64`);
  }
  return [...new Set(arches)] as Arch[];
}

if (import.meta.main) {
  try {
    const { values } = parseArgs({
      args: Deno.args,
      options: {
        arch: { type: "string" },
        binary: { type: "string" },
        "binary-arm64": { type: "string" },
        out: { type: "string" },
      },
    });
    const out = values.out ?? `${ROOT}dist`;
    const files = await release({
      arches: parseArches(values.arch),
      binaries: { amd64: values.binary, arm64: values["binary-arm64"] },
      out,
    });
    for (const f of files) console.log(`${out}/${f}`);
  } catch (e) {
    if (e instanceof ReleaseError || (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      console.error(`release: ${(e as Error).message}`);
      Deno.exit(1);
    }
    throw e;
  }
}
