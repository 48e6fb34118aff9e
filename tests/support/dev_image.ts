/**
 * A development image of amp-pilot for container tests, built locally (nothing can be pulled):
 * `FROM scratch` with busybox, the glibc the Deno runtime links, the Deno runtime, the project's
 * source and a Deno cache holding its npm packages. It stands in for an image with the compiled
 * binary (which needs denort, not available here): `/bin/amp-pilot` runs the bundle the binary
 * is compiled from, `deno run --allow-all --no-config /opt/amp-pilot/bundle/amp-pilot.js`.
 *
 * @module
 */

import { bundleProgram } from "../../scripts/bundle.ts";
import { copyTree } from "./copy_tree.ts";
import { buildImage, docker } from "./docker.ts";

/** The tag of the development image. */
export const DEV_IMAGE = "amp-pilot-dev:test";

const ROOT = new URL("../../", import.meta.url).pathname;
const LIBS = [
  "/lib64/ld-linux-x86-64.so.2",
  "/lib/x86_64-linux-gnu/libc.so.6",
  "/lib/x86_64-linux-gnu/libm.so.6",
  "/lib/x86_64-linux-gnu/libdl.so.2",
  "/lib/x86_64-linux-gnu/librt.so.1",
  "/lib/x86_64-linux-gnu/libpthread.so.0",
  "/lib/x86_64-linux-gnu/libgcc_s.so.1",
];

/**
 * Builds the image once per test process (later calls reuse it).
 *
 * @param extra Dockerfile lines appended (LABEL, EXPOSE, HEALTHCHECK, CMD…).
 * @param tag The image's tag.
 * @param withBinary Put the stand-in at /bin/amp-pilot (leave it out for a host folder mount).
 */
export async function buildDevImage(
  extra: string[] = [],
  tag: string = DEV_IMAGE,
  withBinary = true,
): Promise<string> {
  const context = await Deno.makeTempDir({ prefix: "amp-pilot-image-" });
  try {
    for (
      const dir of ["rootfs/bin", "rootfs/usr/local/bin", "rootfs/opt/amp-pilot", "rootfs/tmp"]
    ) {
      await Deno.mkdir(`${context}/${dir}`, { recursive: true });
    }
    for (const lib of LIBS) {
      const target = `${context}/rootfs${lib}`;
      await Deno.mkdir(target.slice(0, target.lastIndexOf("/")), { recursive: true });
      await Deno.copyFile(await Deno.realPath(lib), target);
    }
    await Deno.copyFile("/bin/busybox", `${context}/rootfs/bin/busybox`);
    await Deno.mkdir(`${context}/rootfs/sbin`);
    await Deno.copyFile("/sbin/ldconfig", `${context}/rootfs/sbin/ldconfig`); // static
    for (
      const applet of [
        "sh",
        "env",
        "cat",
        "sleep",
        "echo",
        "ls",
        "test",
        "grep",
        "wget",
        "tar",
        "gzip",
      ]
    ) {
      await Deno.symlink("busybox", `${context}/rootfs/bin/${applet}`);
    }
    await Deno.copyFile(Deno.execPath(), `${context}/rootfs/usr/local/bin/deno`);
    for (const item of ["main.ts", "mod.ts", "deno.json", "deno.lock", "src"]) {
      await copyTree(`${ROOT}${item}`, `${context}/rootfs/opt/amp-pilot/`);
    }
    // What the compiled binary is compiled from (scripts/release.ts).
    await bundleProgram(`${context}/rootfs/opt/amp-pilot/bundle`);
    if (withBinary) {
      await Deno.writeTextFile(
        `${context}/rootfs/bin/amp-pilot`,
        "#!/bin/sh\n# Development stand-in for the compiled binary (deno compile needs denort): " +
          "the bundle it is compiled from.\nexec /usr/local/bin/deno run --allow-all --no-config " +
          '--no-lock /opt/amp-pilot/bundle/amp-pilot.js "$@"\n',
      );
      await Deno.chmod(`${context}/rootfs/bin/amp-pilot`, 0o755);
    }
    const cache = await new Deno.Command(Deno.execPath(), {
      args: [
        "cache",
        "--frozen",
        "main.ts",
        "src/logs/zookeeper_discovery.ts",
      ],
      cwd: `${context}/rootfs/opt/amp-pilot`,
      env: { DENO_DIR: `${context}/rootfs/deno-dir` },
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!cache.success) {
      throw new Error(`deno cache failed: ${new TextDecoder().decode(cache.stderr)}`);
    }
    // The bundler (esbuild, an npm package Deno fetches on first use) in the image's cache: the
    // Dockerfile's `deno task release` bundles the program, and nothing can be fetched there.
    const bundled = await new Deno.Command(Deno.execPath(), {
      args: ["bundle", "--quiet", "--frozen", `--output=${context}/bundle.js`, "main.ts"],
      cwd: `${context}/rootfs/opt/amp-pilot`,
      env: { DENO_DIR: `${context}/rootfs/deno-dir` },
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!bundled.success) {
      throw new Error(`deno bundle failed: ${new TextDecoder().decode(bundled.stderr)}`);
    }
    await buildImage(
      tag,
      [
        "FROM scratch",
        "COPY rootfs/ /",
        "ENV DENO_DIR=/deno-dir DENO_NO_UPDATE_CHECK=1 PATH=/bin:/usr/local/bin",
        ...extra,
      ].join("\n"),
      context,
    );
    return tag;
  } finally {
    await Deno.remove(context, { recursive: true });
  }
}

/** Runs a container on the host network with the engine's socket mounted; returns its output. */
export async function runInContainer(
  image: string,
  socket: string,
  args: string[],
  options: { env?: Record<string, string>; labels?: Record<string, string>; name?: string } = {},
): Promise<{ code: number; out: string; err: string }> {
  const flags = ["run", "--rm", "--network", "host", "-v", `${socket}:/var/run/docker.sock`];
  if (options.name) flags.push("--name", options.name);
  for (const [k, v] of Object.entries(options.env ?? {})) flags.push("-e", `${k}=${v}`);
  for (const [k, v] of Object.entries(options.labels ?? {})) flags.push("--label", `${k}=${v}`);
  const out = await new Deno.Command("docker", {
    args: [...flags, image, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  return { code: out.code, out: d.decode(out.stdout), err: d.decode(out.stderr) };
}

/** Removes the image (ignores a missing one). */
export async function removeImage(tag: string): Promise<void> {
  await docker(["rmi", "-f", tag]).catch(() => {});
}
