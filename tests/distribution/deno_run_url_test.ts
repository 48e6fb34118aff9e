import { equal, match } from "node:assert/strict";
import { tempDir } from "../support/pilot.ts";
import { denoRun, type DenoRunResult } from "../support/deno_run.ts";
import { BUNDLE, bundleProgram } from "../../scripts/bundle.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** Serves the files of `root` (the repository by default) over HTTP on a free loopback port. */
function serveFiles(root = ROOT): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const path = decodeURIComponent(new URL(req.url).pathname);
    if (path.includes("..")) return new Response("bad path", { status: 400 });
    try {
      const body = await Deno.readFile(`${root}${path}`);
      const type = path.endsWith(".json")
        ? "application/json"
        : path.endsWith(".js")
        ? "application/javascript"
        : "application/typescript";
      return new Response(body, { headers: { "content-type": type } });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
}

/** `deno run <flags> <url>/<entry> …` from a folder without deno.json. */
function runRemote(
  cwd: string,
  url: string,
  args: string[],
  env: Record<string, string> = {},
  // The documented flags for a remote main.ts (README, "Running from a URL").
  flags: readonly string[] = ["--allow-all"],
  entry = "main.ts",
): Promise<DenoRunResult> {
  return denoRun(cwd, `${url}/${entry}`, args, env, flags);
}

Deno.test("deno run <URL>/main.ts works without the project's deno.json", async (t) => {
  const server = serveFiles();
  await using dir = await tempDir();
  const url = `http://127.0.0.1:${server.addr.port}`;
  try {
    await t.step("version", async () => {
      const r = await runRemote(dir.path, url, ["version"]);
      equal(r.code, 0, r.err);
      match(r.out, /^amp-pilot \d+\.\d+\.\d+/);
    });
    await t.step("check", async () => {
      const r = await runRemote(dir.path, url, ["check", "--", "sh", "-c", "echo hi"], {
        CONSUL: "127.0.0.1:8500",
        SERVICE_NAME: "remote",
      });
      equal(r.code, 0, r.err);
      match(r.out, /configuration is valid; Consul mode/);
    });
    await t.step("a short real run in direct mode", async () => {
      const r = await runRemote(dir.path, url, ["--", "sh", "-c", "echo from the mate; exit 3"]);
      equal(r.code, 3, r.err);
      equal(r.out, "from the mate\n");
    });
    await t.step("no permission flags: one line naming them, no stack trace", async () => {
      // Deno lets raw.githubusercontent.com's modules import each other without a flag;
      // --allow-import stands in for that for this loopback server.
      const host = `127.0.0.1:${server.addr.port}`;
      const r = await runRemote(dir.path, url, ["sh", "-c", "echo ran"], {}, [
        `--allow-import=${host}`,
      ]);
      equal(r.code, 2, r.err);
      equal(r.out, "");
      match(r.err, /^amp-pilot: Deno permissions missing \(--allow-run --allow-env [^\n]*\n$/m);
      equal(/NotCapable|\n\s+at /.test(r.err), false, r.err);
    });
  } finally {
    await server.shutdown();
  }
});

Deno.test("deno run <URL>/amp-pilot.js, the release's bundle, loads the file beside it over HTTP", async (t) => {
  await using dir = await tempDir();
  const built = await bundleProgram(`${dir.path}/site`);
  const server = serveFiles(`${dir.path}/site`);
  const url = `http://127.0.0.1:${server.addr.port}`;
  const run = (args: string[], env: Record<string, string> = {}) =>
    runRemote(dir.path, url, args, env, ["--allow-all"], BUNDLE);
  try {
    equal(built.satellites.length, 1, built.satellites.join(", "));
    await t.step("version", async () => {
      const r = await run(["version"]);
      equal(r.code, 0, r.err);
      match(r.out, /^amp-pilot \d+\.\d+\.\d+/);
    });
    await t.step(
      "a conffile's list of dependency objects (read by the file beside it)",
      async () => {
        await Deno.writeTextFile(
          `${dir.path}/pilot.json`,
          JSON.stringify({
            Dependencies: [{ Name: "db", OnlyAtStartup: true }, { Name: "cache" }],
          }),
        );
        const r = await run(["check", "--", "true"], {
          CONSUL: "127.0.0.1:8500",
          SERVICE_NAME: "remote",
          AMPPILOT_CONFFILE: `${dir.path}/pilot.json`,
        });
        equal(r.code, 0, r.err);
        match(r.out, /db \(only at startup\), cache/);
      },
    );
    await t.step("a short real run in direct mode", async () => {
      const r = await run(["--", "sh", "-c", "echo from the mate; exit 3"]);
      equal(r.code, 3, r.err);
      equal(r.out, "from the mate\n");
    });
  } finally {
    await server.shutdown();
  }
});
