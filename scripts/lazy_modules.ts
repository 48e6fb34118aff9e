/**
 * The modules the program imports with a non-literal specifier (`import(String("./x.ts"))`, so
 * that Deno does not read them at start, issue #14). Neither the bundler nor `deno compile` can
 * see them: scripts/bundle.ts makes them literal in a staged copy, or bundles them beside.
 *
 * @module
 */

/** A non-literal dynamic import as the sources write it; the specifier is the first group. */
export const LAZY_IMPORT: RegExp = /import\(String\("([^"]+)"\)\)/g;

/**
 * The modules `text` (the source of `file`) imports lazily, as absolute paths.
 *
 * @param file Absolute path of the source file.
 * @param text Its source.
 */
export function lazyImports(file: string, text: string): string[] {
  return [...text.matchAll(LAZY_IMPORT)].map(([, spec]) =>
    new URL(spec!, `file://${file}`).pathname
  );
}

/** The TypeScript files under `dir`, at any depth. */
export async function sourceFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) files.push(...await sourceFiles(path));
    else if (entry.name.endsWith(".ts")) files.push(path);
  }
  return files;
}

/**
 * Every module of the program (`main.ts` and `src/`) imported lazily, sorted, without repeats.
 *
 * @param root The repository's folder (absolute, ending in `/`).
 */
export async function lazyModules(root: string): Promise<string[]> {
  const files = [`${root}main.ts`, ...await sourceFiles(`${root}src`)];
  const found = new Set<string>();
  for (const file of files) {
    for (const module of lazyImports(file, await Deno.readTextFile(file))) found.add(module);
  }
  return [...found].sort();
}
