import { deepEqual, ok } from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url).pathname;

interface ModuleGraph {
  modules: { kind?: string; npmPackage?: string }[];
  npmPackages: Record<string, { name: string; version: string; dependencies?: string[] }>;
}

/** name@version of every npm package the compiled binary holds: the program's graph, closed. */
async function compiledNpmPackages(): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "--frozen", "main.ts"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "null",
  }).output();
  const graph = JSON.parse(new TextDecoder().decode(out.stdout)) as ModuleGraph;
  const seen = new Set<string>();
  const visit = (id: string) => {
    if (seen.has(id)) return;
    seen.add(id);
    for (const dep of graph.npmPackages[id]?.dependencies ?? []) visit(dep);
  };
  for (const m of graph.modules) if (m.kind === "npm" && m.npmPackage) visit(m.npmPackage);
  return [...seen].map((id) => {
    const p = graph.npmPackages[id]!;
    return `${p.name}@${p.version}`;
  }).sort();
}

Deno.test("THIRD_PARTY_NOTICES.md names every npm package compiled in, with its licence text", async () => {
  const notices = await Deno.readTextFile(`${ROOT}THIRD_PARTY_NOTICES.md`);
  const listed = [...notices.matchAll(/^\| `([^`]+)` +\| ([^ |]+) +\|$/gm)]
    .map(([, name, version]) => `${name}@${version}`).sort();
  const compiled = await compiledNpmPackages();
  ok(compiled.includes("zod@4.6.7"), compiled.join(", "));
  deepEqual(listed, compiled);
  for (const id of compiled) {
    const name = id.slice(0, id.lastIndexOf("@"));
    ok(notices.includes(`### ${name}\n\n\`\`\`\n`), `no licence text for ${name}`);
  }
});
