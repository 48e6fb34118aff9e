import { deepEqual, equal, match } from "node:assert/strict";
import { buildDevImage } from "../support/dev_image.ts";
import { docker, dockerSocket } from "../support/docker.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const BASE_IMAGES = new URL("../../scripts/base_images.sh", import.meta.url).pathname;

Deno.test("the Dockerfile's stages build on local base images", async (t) => {
  dockerSocket();
  const base = await new Deno.Command("bash", { args: [BASE_IMAGES], stderr: "piped" }).output();
  equal(base.success, true, new TextDecoder().decode(base.stderr));
  // Nothing can be pulled: the development image (Deno runtime, busybox, glibc, the npm cache)
  // stands in for denoland/deno, and the Deno runtime binary stands in for the compiled one
  // (deno compile needs denort): `--binary /usr/local/bin/deno`.
  // Debian's coreutils are in the real image: busybox's applets stand in for them here.
  await buildDevImage(['RUN ["/bin/busybox", "--install", "-s", "/bin"]'], "denoland/deno:2.9.6");
  const build = (target: string) =>
    docker([
      "build",
      "-q",
      "--target",
      target,
      "-t",
      `amp-pilot-test:${target}`,
      "--build-arg",
      "RELEASE_ARGS=--binary /usr/local/bin/deno",
      ROOT,
    ]);
  try {
    await t.step(
      "alpine: the alpine artefact installs its glibc runtime at build time, once",
      async () => {
        await build("alpine");
        const left = await docker([
          "run",
          "--rm",
          "--network",
          "none",
          "--entrypoint",
          "/bin/sh",
          "amp-pilot-test:alpine",
          "-c",
          "ls /tmp /usr/local/lib/amp-pilot/*",
        ]);
        deepEqual(left.split("\n").filter((l) => l !== "" && !l.endsWith(":")), [
          "LICENSE",
          "THIRD_PARTY_NOTICES.md",
          "amp-pilot",
        ]);
        const version = await docker([
          "run",
          "--rm",
          "--network",
          "none",
          "amp-pilot-test:alpine",
          "--version",
        ]);
        match(version, /^deno \d+\.\d+\.\d+/);
        const health = await docker([
          "inspect",
          "-f",
          "{{json .Config.Healthcheck.Test}}",
          "amp-pilot-test:alpine",
        ]);
        deepEqual(JSON.parse(health), ["CMD", "/usr/local/bin/amp-pilot", "health"]);
      },
    );
    await t.step("debian-slim: the amd64 binary on glibc", async () => {
      await build("debian-slim");
      match(
        await docker([
          "run",
          "--rm",
          "--network",
          "none",
          "amp-pilot-test:debian-slim",
          "--version",
        ]),
        /^deno /,
      );
    });
    await t.step(
      "host-folder: /bin/amp-pilot/{pilotLoader,amp-pilot.alpine,amp-pilot.amd64}",
      async () => {
        await build("host-folder");
        const id = await docker(["create", "amp-pilot-test:host-folder", "none"]);
        try {
          const listing = await new Deno.Command("sh", {
            args: ["-c", `docker export ${id} | tar -t | sort`],
            stdout: "piped",
          }).output();
          const files = new TextDecoder().decode(listing.stdout).trim().split("\n")
            .filter((f) => f.startsWith("bin/amp-pilot/") && f !== "bin/amp-pilot/");
          deepEqual(files, [
            "bin/amp-pilot/LICENSE",
            "bin/amp-pilot/THIRD_PARTY_NOTICES.md",
            "bin/amp-pilot/amp-pilot.alpine",
            "bin/amp-pilot/amp-pilot.amd64",
            "bin/amp-pilot/pilotLoader",
          ]);
        } finally {
          await docker(["rm", "-f", id]);
        }
      },
    );
  } finally {
    for (const target of ["alpine", "debian-slim", "host-folder"]) {
      await docker(["rmi", "-f", `amp-pilot-test:${target}`]).catch(() => {});
    }
  }
});
