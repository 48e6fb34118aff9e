// deno-lint-ignore-file no-console -- a command-line script that reports what it builds
/**
 * `deno task release`: compiles amp-pilot with the least permissions it needs, builds the
 * amd64 and alpine artefacts and their tarballs, and writes SHA256SUMS, all in `dist/`.
 *
 * `deno compile` needs Deno's base runtime (`denort`), which it downloads from dl.deno.land:
 * set `DENORT_BIN` to a denort of the same Deno version where that site cannot be reached.
 *
 * Options:
 *   --binary <path>   package this file as the amd64 binary instead of compiling (used by the
 *                     tests with a clearly named development stand-in, since denort cannot be
 *                     downloaded there)
 *   --out <dir>       write there instead of dist/
 *
 * @module
 */

import { parseArgs } from "node:util";
import denoJson from "../deno.json" with { type: "json" };

const ROOT = new URL("../", import.meta.url).pathname;
const TARGET = "x86_64-unknown-linux-gnu";
/** The glibc runtime a Deno binary links (ldd of deno 2.9.6), and the loader. */
const GLIBC_LIBS = ["libc.so.6", "libm.so.6", "libdl.so.2", "librt.so.1", "libpthread.so.0"];
const GCC_LIBS = ["libgcc_s.so.1"];
const LIB_DIRS = ["/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64"];

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

async function run(cmd: string, args: string[], env?: Record<string, string>): Promise<string> {
  const out = await new Deno.Command(cmd, { args, env, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  if (!out.success) throw new ReleaseError(`${cmd} ${args.join(" ")} failed:\n${text.trim()}`);
  return text;
}

async function compile(output: string): Promise<void> {
  const denort = Deno.env.get("DENORT_BIN");
  if (denort) {
    try {
      await Deno.stat(denort);
    } catch {
      throw new ReleaseError(`DENORT_BIN=${denort}: no such file; expected a denort binary`);
    }
  }
  try {
    await run(Deno.execPath(), [
      "compile",
      "--frozen",
      "--no-check",
      `--target=${TARGET}`,
      ...COMPILE_PERMISSIONS,
      "--include=src/logs/zookeeper_discovery.ts",
      `--output=${output}`,
      `${ROOT}main.ts`,
    ]);
  } catch (e) {
    if (!denort && /dl\.deno\.land|denort|download/i.test((e as Error).message)) {
      throw new ReleaseError(
        "deno compile needs Deno's base runtime (denort), downloaded from dl.deno.land, which " +
          "cannot be reached here. Set DENORT_BIN to a denort binary of Deno " +
          `${Deno.version.deno} (from denort-${TARGET}.zip of the Deno release), or run ` +
          "`deno task release` on a networked machine.",
      );
    }
    throw e;
  }
}

async function findLibrary(name: string): Promise<string> {
  for (const dir of LIB_DIRS) {
    try {
      return await Deno.realPath(`${dir}/${name}`);
    } catch { /* next */ }
  }
  throw new ReleaseError(`cannot find ${name} for the alpine artefact in ${LIB_DIRS.join(", ")}`);
}

/** amp-pilot.alpine: the wrapper script with the glibc runtime and the binary appended. */
async function buildAlpine(binary: string, output: string, version: string): Promise<void> {
  const stage = await Deno.makeTempDir({ prefix: "amp-pilot-alpine-" });
  try {
    await Deno.mkdir(`${stage}/lib`);
    for (const lib of [...GLIBC_LIBS, ...GCC_LIBS]) {
      await Deno.copyFile(await findLibrary(lib), `${stage}/lib/${lib}`);
    }
    await Deno.copyFile(
      await Deno.realPath("/lib64/ld-linux-x86-64.so.2"),
      `${stage}/ld-linux-x86-64.so.2`,
    );
    await Deno.copyFile("/sbin/ldconfig", `${stage}/ldconfig`); // static in Debian's libc-bin
    await Deno.copyFile(binary, `${stage}/amp-pilot`);
    await run("tar", ["-czf", `${stage}.tgz`, "-C", stage, "."]);
    const wrapper = (await Deno.readTextFile(`${ROOT}distribution/alpine_wrapper.sh`))
      .replace("__AMP_PILOT_VERSION__", version);
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

async function sha256(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Builds everything into `dist` (default `dist/`) and returns the files written. */
export async function release(
  binaryOverride?: string,
  dist: string = `${ROOT}dist`,
): Promise<string[]> {
  const DIST = dist;
  const version = denoJson.version;
  await Deno.remove(DIST, { recursive: true }).catch(() => {});
  await Deno.mkdir(DIST, { recursive: true });
  const amd64 = `${DIST}/amp-pilot.amd64`;
  if (binaryOverride) await Deno.copyFile(binaryOverride, amd64);
  else await compile(amd64);
  await Deno.chmod(amd64, 0o755);
  await buildAlpine(amd64, `${DIST}/amp-pilot.alpine`, version);
  await Deno.copyFile(`${ROOT}distribution/pilotLoader`, `${DIST}/pilotLoader`);
  await Deno.chmod(`${DIST}/pilotLoader`, 0o755);
  const tarballs = {
    [`amp-pilot.amd64-${version}.tgz`]: ["amp-pilot.amd64"],
    [`amp-pilot.alpine-${version}.tgz`]: ["amp-pilot.alpine"],
    [`amp-pilot-${version}.tgz`]: ["amp-pilot.amd64", "amp-pilot.alpine", "pilotLoader"],
  };
  for (const [name, files] of Object.entries(tarballs)) {
    await run("tar", ["-czf", `${DIST}/${name}`, "-C", DIST, ...files]);
  }
  const sums = [];
  for (const name of Object.keys(tarballs)) {
    sums.push(`${await sha256(`${DIST}/${name}`)}  ${name}`);
  }
  await Deno.writeTextFile(`${DIST}/SHA256SUMS`, `${sums.join("\n")}\n`);
  return [...Object.keys(tarballs), "SHA256SUMS"];
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { binary: { type: "string" }, out: { type: "string" } },
  });
  try {
    const out = values.out ?? `${ROOT}dist`;
    const files = await release(values.binary, out);
    for (const f of files) console.log(`${out}/${f}`);
  } catch (e) {
    if (e instanceof ReleaseError) {
      console.error(`release: ${e.message}`);
      Deno.exit(1);
    }
    throw e;
  }
}
