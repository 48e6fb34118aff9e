import { equal, match } from "node:assert/strict";

const ROOT = new URL("../", import.meta.url).pathname;

async function deno(args: string[]) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  return { code, out: d.decode(stdout), err: d.decode(stderr) };
}

Deno.test("deno doc --lint mod.ts is clean", async () => {
  const r = await deno(["doc", "--lint", "mod.ts"]);
  equal(r.code, 0, r.err);
});

Deno.test("the examples of mod.ts's documentation run and pass", async () => {
  const r = await deno(["test", "--doc", "--allow-all", "--frozen", "mod.ts"]);
  equal(r.code, 0, `${r.out}\n${r.err}`);
  match(r.out, /ok \| 2 passed \| 0 failed/);
});
