/**
 * The conffile's list of dependencies, the one structured configuration value: a zod schema
 * checks it. It is loaded only when a conffile gives `Dependencies` as an array, so that runs
 * configured by the environment do not pay zod's startup time and memory.
 *
 * @module
 */

import { z } from "../deps.ts";
import { parseBoolWord } from "./bool_words.ts";
import type { Dependency } from "./types.ts";
import { checkServiceNames, DEPENDENCIES_EXPECTED, type ParseResult } from "./values.ts";

const NAME = z.string().trim().min(1);

/** `"db"`: a dependency needed all the time. */
const DEPENDENCY_NAME = NAME.transform((name): Dependency => ({ name, onlyAtStartup: false }));

/** `{"Name": "db", "OnlyAtStartup": true}`, keys in any case, nothing else in it. */
const DEPENDENCY_OBJECT = z.record(z.string(), z.unknown())
  .transform((entry) =>
    Object.fromEntries(Object.entries(entry).map(([key, value]) => [key.toLowerCase(), value]))
  )
  .pipe(z.strictObject({
    name: NAME,
    onlyatstartup: z.union([z.boolean(), z.string().transform(parseBoolWord).pipe(z.boolean())])
      .default(false),
  }))
  .transform(({ name, onlyatstartup }): Dependency => ({ name, onlyAtStartup: onlyatstartup }));

const DEPENDENCY_LIST = z.array(z.union([DEPENDENCY_NAME, DEPENDENCY_OBJECT]));

/**
 * Parses the conffile's `Dependencies` array: names, or `{"Name", "OnlyAtStartup"}` objects.
 * Duplicates are dropped, the first one wins; a bad entry is named by its position.
 */
export function parseDependencyList(raw: unknown): ParseResult<Dependency[]> {
  const parsed = DEPENDENCY_LIST.safeParse(raw);
  if (!parsed.success) {
    const entry = parsed.error.issues.map((i) => i.path[0]).find((p) => typeof p === "number");
    const which = entry === undefined ? "" : ` (entry ${entry + 1} is not one)`;
    return { ok: false, expected: `${DEPENDENCIES_EXPECTED}${which}` };
  }
  const problem = checkServiceNames(parsed.data.map((dep) => dep.name));
  if (problem !== undefined) {
    return { ok: false, expected: `expected dependency names: ${problem}` };
  }
  const seen = new Map<string, Dependency>();
  for (const dep of parsed.data) if (!seen.has(dep.name)) seen.set(dep.name, dep);
  return { ok: true, value: [...seen.values()] };
}
