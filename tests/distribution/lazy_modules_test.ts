import { deepEqual, equal, ok } from "node:assert/strict";
import { lazyImports, lazyModules } from "../../scripts/lazy_modules.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

Deno.test("lazyImports() resolves each non-literal specifier against its file", () => {
  const text = 'await (import(String("./a.ts")) as Promise<typeof import("./a.ts")>);\n' +
    'await (import(String("../b/c.ts")) as Promise<typeof import("../b/c.ts")>);\n' +
    'await import("./literal.ts");';
  deepEqual(lazyImports("/repo/src/cli/x.ts", text), ["/repo/src/cli/a.ts", "/repo/src/b/c.ts"]);
});

Deno.test("lazyModules() finds every lazily imported module, and each exists", async () => {
  const modules = await lazyModules(ROOT);
  for (
    const expected of [
      "src/cli/check.ts",
      "src/cli/run.ts",
      "src/config/dependency_list.ts",
      "src/logs/zookeeper_discovery.ts",
      "src/logs/kafka_shipper.ts",
    ]
  ) ok(modules.includes(`${ROOT}${expected}`), `${expected} in ${modules.join(", ")}`);
  for (const module of modules) equal((await Deno.stat(module)).isFile, true, module);
});

Deno.test("every dynamic import of the program is literal or in the form the bundle finds", async () => {
  const files = [`${ROOT}main.ts`];
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(dir)) {
      if (e.isDirectory) await walk(`${dir}/${e.name}`);
      else if (e.name.endsWith(".ts")) files.push(`${dir}/${e.name}`);
    }
  };
  await walk(`${ROOT}src`);
  const hidden: string[] = [];
  for (const file of files) {
    const text = await Deno.readTextFile(file);
    for (const m of text.matchAll(/(typeof )?import\((\S{0,8})/g)) {
      if (m[1] || m[2]!.startsWith('"') || m[2]!.startsWith('String("')) continue;
      hidden.push(`${file.slice(ROOT.length)}: import(${m[2]}`);
    }
  }
  deepEqual(hidden, []);
});
