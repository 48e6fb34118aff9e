// deno-lint-ignore-file no-console -- a command-line script that reports what it builds
/**
 * `deno task bundle`: the program as one JavaScript file, `amp-pilot.js`, which the release
 * compiles and publishes for `deno run <URL>` (issue #14: one module instead of some sixty
 * TypeScript ones costs about 2 MB less idle memory and a few milliseconds less start-up).
 *
 * The sources import some modules with a non-literal specifier (`import(String("./x.ts"))`) so
 * that `deno run main.ts` does not read them at start. For the bundle, those imports are made
 * literal in a staged copy, so that the bundler carries each module in the file and runs it only
 * when imported — except the modules that bring a package (zod for the conffile's list of
 * dependencies, the ZooKeeper client): carried in the file, their unrun code still cost memory
 * in every pilot (the whole program with them: about 10 MB more), and the bundler would import a
 * `node:` module of theirs at the top of the file, at start. Each of those is bundled on its own
 * beside the main file, `amp-pilot.<module>.js`, and imported from it by that relative name,
 * still non-literally. The files must be served from one folder. A module bundled beside carries
 * its own copy of the project's modules it imports: keep those free of state (the bundle's test
 * lists them).
 *
 * Usage: `deno task bundle [--out <dir>]` (default `dist/`).
 *
 * @module
 */

import { parseArgs } from "node:util";
import denoJson from "../deno.json" with { type: "json" };
import { LAZY_IMPORT, lazyImports, lazyModules, sourceFiles } from "./lazy_modules.ts";

const ROOT = new URL("../", import.meta.url).pathname;

/** The bundle's file name. */
export const BUNDLE = "amp-pilot.js";

/** What the staged copy of the program holds. */
const STAGED = ["main.ts", "deno.json", "deno.lock", "src"];

class BundleError extends Error {}

/** The files a bundle build wrote. */
export interface BundleBuild {
  /** The main file, absolute. */
  readonly main: string;
  /** The files beside it, one per module that brings an npm package, absolute. */
  readonly satellites: readonly string[];
}

async function run(args: string[], cwd: string): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    env: { DENO_NO_UPDATE_CHECK: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  if (!out.success) {
    throw new BundleError(`deno ${args.join(" ")} failed:\n${d.decode(out.stderr).trim()}`);
  }
  return d.decode(out.stdout);
}

async function copyTree(from: string, to: string): Promise<void> {
  const info = await Deno.stat(from);
  if (!info.isDirectory) return await Deno.copyFile(from, to);
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    await copyTree(`${from}/${entry.name}`, `${to}/${entry.name}`);
  }
}

interface InfoDependency {
  readonly code?: { readonly specifier?: string };
}
interface InfoModule {
  readonly specifier: string;
  readonly dependencies?: readonly InfoDependency[];
}

/**
 * Whether `module` brings a package when it runs: an `npm:` or `node:` specifier among the
 * imports it runs, directly or through the modules it imports (`typeof import(…)` in a type does
 * not count).
 */
async function bringsPackage(module: string, cwd: string): Promise<boolean> {
  const info = JSON.parse(await run(["info", "--json", "--frozen", module], cwd)) as {
    modules: InfoModule[];
  };
  const byUrl = new Map(info.modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>();
  const pending = [new URL(`file://${module}`).href];
  while (pending.length > 0) {
    const url = pending.pop()!;
    if (seen.has(url)) continue;
    seen.add(url);
    for (const dependency of byUrl.get(url)?.dependencies ?? []) {
      const target = dependency.code?.specifier;
      if (target === undefined) continue;
      if (target.startsWith("npm:") || target.startsWith("node:")) return true;
      pending.push(target);
    }
  }
  return false;
}

/** The name of the file beside the bundle that carries `module`. */
export function satelliteName(module: string): string {
  return `amp-pilot.${module.slice(module.lastIndexOf("/") + 1).replace(/\.ts$/, "")}.js`;
}

/**
 * Makes each non-literal import of the staged sources literal, or points it at the file beside
 * the bundle for the modules in `satellites`.
 */
async function rewriteLazyImports(stage: string, satellites: ReadonlySet<string>): Promise<void> {
  for (const file of [`${stage}/main.ts`, ...await sourceFiles(`${stage}/src`)]) {
    const text = await Deno.readTextFile(file);
    const targets = lazyImports(file, text);
    if (targets.length === 0) continue;
    let i = 0;
    const rewritten = text.replace(LAZY_IMPORT, (_, spec: string) => {
      const target = targets[i++]!;
      return satellites.has(target)
        ? `import(String("./${satelliteName(target)}"))`
        : `import(${JSON.stringify(spec)})`;
    });
    await Deno.writeTextFile(file, rewritten);
  }
}

/** A bundle's first line: what it is, its version and licence. */
function banner(what: string): string {
  return `// amp-pilot ${denoJson.version}: ${what}, bundled from its sources by \`deno task ` +
    "bundle\`. Apache-2.0; the npm packages in it: THIRD_PARTY_NOTICES.md.\n";
}

async function bundleInto(entry: string, output: string, what: string, cwd: string) {
  await run(["bundle", "--quiet", "--frozen", `--output=${output}`, entry], cwd);
  const text = await Deno.readTextFile(output);
  await Deno.writeTextFile(output, banner(what) + text);
}

/**
 * Checks that `text` (the main bundle) imports nothing at start, and nothing later but the files
 * beside it, each as `import(String("./<name>"))`.
 */
export function checkBundleImports(text: string, satellites: readonly string[]): void {
  const atStart = [
    ...text.matchAll(
      /^(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']|^import\s*["']([^"']+)["']/gm,
    ),
  ]
    .map((m) => m[1] ?? m[2]);
  if (atStart.length > 0) {
    throw new BundleError(
      `the bundle imports ${atStart.join(", ")} at start; expected every module inside the ` +
        "bundle, and a module with packages of its own in a file beside it",
    );
  }
  const names = new Set(satellites.map((s) => `./${s.slice(s.lastIndexOf("/") + 1)}`));
  const unknown = [
    ...text.matchAll(/\bimport\((?!String\("([^"]+)"\)\))|\bimport\(String\("([^"]+)"\)\)/g),
  ]
    .filter((m) => m[2] === undefined || !names.has(m[2]))
    .map((m) => m[2] ?? text.slice(m.index, m.index + 40).split("\n")[0]);
  if (unknown.length > 0) {
    throw new BundleError(
      `the bundle imports ${unknown.join(", ")} at run time; expected only the files beside it ` +
        `(${[...names].join(", ")}), as import(String("./<file>"))`,
    );
  }
}

/**
 * Bundles the program into `out`: {@linkcode BUNDLE} and a file beside it for each lazily
 * imported module that brings an npm package.
 */
export async function bundleProgram(outDir: string): Promise<BundleBuild> {
  // deno bundle runs in the staged copy: a relative folder would land there.
  const out = outDir.startsWith("/") ? outDir : `${Deno.cwd()}/${outDir}`;
  const stage = await Deno.makeTempDir({ prefix: "amp-pilot-bundle-" });
  try {
    for (const item of STAGED) await copyTree(`${ROOT}${item}`, `${stage}/${item}`);
    const lazy = await lazyModules(`${stage}/`);
    const satellites = new Set<string>();
    const names = new Map<string, string>();
    for (const module of lazy) {
      if (!await bringsPackage(module, stage)) continue;
      const name = satelliteName(module);
      const other = names.get(name);
      if (other) {
        throw new BundleError(
          `${other.slice(stage.length + 1)} and ${module.slice(stage.length + 1)} would both be ` +
            `${name} beside the bundle; expected modules bundled beside it to have different names`,
        );
      }
      names.set(name, module);
      satellites.add(module);
    }
    await rewriteLazyImports(stage, satellites);
    await Deno.mkdir(out, { recursive: true });
    const main = `${out}/${BUNDLE}`;
    await bundleInto(`${stage}/main.ts`, main, "the program", stage);
    const written: string[] = [];
    for (const module of satellites) {
      const file = `${out}/${satelliteName(module)}`;
      const name = module.slice(stage.length + 1);
      await bundleInto(module, file, `${name}, which ${BUNDLE} imports when needed`, stage);
      written.push(file);
    }
    checkBundleImports(await Deno.readTextFile(main), written);
    return { main, satellites: written };
  } finally {
    await Deno.remove(stage, { recursive: true });
  }
}

if (import.meta.main) {
  try {
    const { values } = parseArgs({ args: Deno.args, options: { out: { type: "string" } } });
    const built = await bundleProgram(values.out ?? `${ROOT}dist`);
    for (const file of [built.main, ...built.satellites]) console.log(file);
  } catch (e) {
    if (e instanceof BundleError || (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      console.error(`bundle: ${(e as Error).message}`);
      Deno.exit(1);
    }
    throw e;
  }
}
