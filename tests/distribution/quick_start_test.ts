import { equal, match, rejects } from "node:assert/strict";
import denoJson from "../../deno.json" with { type: "json" };
import { docker, dockerSocket } from "../support/docker.ts";
import { tempDir } from "../support/pilot.ts";
import { buildReleaseWithStandIn } from "../support/release.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const EXAMPLES = `${ROOT}examples`;
const BASE_IMAGES = `${ROOT}scripts/base_images.sh`;
const VERSION = denoJson.version;

/** The code blocks of the README in one language, in order. */
async function readmeBlocks(language: string): Promise<string[]> {
  const readme = await Deno.readTextFile(`${ROOT}README.md`);
  return [...readme.matchAll(new RegExp(`^\`\`\`${language}\n([\\s\\S]*?)^\`\`\`$`, "gm"))]
    .map(([, body]) => body!);
}

/**
 * A release served over HTTP the way GitHub serves one (`<base>/v<version>/<file>`): the
 * Dockerfiles download from the address their AMPPILOT_RELEASES argument names.
 */
function serveRelease(dist: string, tamper: boolean) {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = new URL(req.url).pathname;
    const prefix = `/v${VERSION}/`;
    if (!path.startsWith(prefix) || path.slice(prefix.length).includes("/")) {
      return new Response("not found", { status: 404 });
    }
    try {
      let body = await Deno.readFile(`${dist}/${path.slice(prefix.length)}`);
      if (tamper && path.endsWith("SHA256SUMS")) {
        // One changed digit in every sum: what a swapped or corrupted download looks like.
        body = new TextEncoder().encode(
          new TextDecoder().decode(body).replace(/^(.)/gm, (c) => c === "0" ? "1" : "0"),
        );
      }
      return new Response(body);
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

Deno.test("the README's quick start is examples/*.Dockerfile and examples/compose.yaml", async () => {
  for (
    const [language, name] of [
      ["dockerfile", "alpine.Dockerfile"],
      ["dockerfile", "debian-slim.Dockerfile"],
      ["yaml", "compose.yaml"],
    ]
  ) {
    const file = await Deno.readTextFile(`${EXAMPLES}/${name}`);
    equal(
      (await readmeBlocks(language!)).includes(file),
      true,
      `README.md has no ${language} block equal to ${name}`,
    );
  }
});

Deno.test("the quick-start Dockerfiles download, verify, install and clean up a release; a bad sum stops the build", async (t) => {
  dockerSocket();
  const base = await new Deno.Command("bash", { args: [BASE_IMAGES], stderr: "piped" }).output();
  equal(base.success, true, new TextDecoder().decode(base.stderr));
  await using dir = await tempDir();
  // The Alpine artefact is the real one, around the stand-in binary (tests/support/release.ts).
  const { dist } = await buildReleaseWithStandIn(dir.path);
  const build = (file: string, tag: string, releases: string) =>
    docker([
      "build",
      "-q",
      "--network",
      "host",
      "-f",
      `${EXAMPLES}/${file}`,
      "--build-arg",
      `AMPPILOT_RELEASES=${releases}`,
      "-t",
      tag,
      EXAMPLES,
    ]);
  const tags = ["amp-pilot-test/quick-start:alpine", "amp-pilot-test/quick-start:debian-slim"];
  const runIn = (tag: string, entrypoint: string, ...args: string[]) =>
    docker(["run", "--rm", "--network", "none", "--entrypoint", entrypoint, tag, ...args]);
  try {
    await t.step("alpine: busybox wget, sha256sum -c, the wrapper unpacked once", async () => {
      await using release = serveRelease(dist, false);
      await build("alpine.Dockerfile", tags[0]!, release.url);
      match(
        await runIn(tags[0]!, "/usr/local/bin/amp-pilot", "--version"),
        /^deno \d+\.\d+\.\d+/,
      );
      equal(
        await runIn(tags[0]!, "/bin/sh", "-c", "ls -A /tmp; ls /usr/local/lib/amp-pilot/*"),
        "LICENSE\nTHIRD_PARTY_NOTICES.md\namp-pilot",
      );
    });
    await t.step("debian-slim: ADD, sha256sum -c in a build stage, the binary copied", async () => {
      await using release = serveRelease(dist, false);
      await build("debian-slim.Dockerfile", tags[1]!, release.url);
      match(
        await runIn(tags[1]!, "/usr/local/bin/amp-pilot", "--version"),
        /^deno \d+\.\d+\.\d+/,
      );
      equal(
        await runIn(tags[1]!, "/bin/ls", "-A", "/tmp", "/usr/local/share/doc/amp-pilot"),
        "/tmp:\n\n/usr/local/share/doc/amp-pilot:\nLICENSE\nTHIRD_PARTY_NOTICES.md",
      );
    });
    await t.step("a download that does not match SHA256SUMS fails the build", async () => {
      await using release = serveRelease(dist, true);
      for (const file of ["alpine.Dockerfile", "debian-slim.Dockerfile"]) {
        await rejects(
          build(file, "amp-pilot-test/quick-start:tampered", release.url),
          /FAILED/,
          file,
        );
      }
    });
  } finally {
    for (const tag of [...tags, "amp-pilot-test/quick-start:tampered"]) {
      await docker(["rmi", "-f", tag]).catch(() => {});
    }
  }
});
