/**
 * A pilot's dependencies as it publishes them in its registration's `Meta`, so that a view of the
 * whole system (`amp-pilot graph`) and cycle detection can read them back from Consul.
 *
 * @module
 */

/** Meta key: the dependencies, comma-separated (Consul's Meta values are strings). */
export const DEPENDENCIES_META_KEY = "amp-pilot-dependencies";
/** Meta key: those of them needed only at startup, comma-separated. */
export const STARTUP_ONLY_META_KEY = "amp-pilot-startup-only";

/**
 * Meta key of an instance listed while its pilot waits for its dependencies (`"true"`): only such an
 * instance waits for what it publishes; a running one does not, whatever its checks say.
 */
export const WAITING_META_KEY = "amp-pilot-waiting";

/** Whether the instance with this Meta is a pilot's waiting listing. */
export function isWaitingListing(meta: Readonly<Record<string, string>> | undefined): boolean {
  return meta?.[WAITING_META_KEY] === "true";
}

/** One dependency as published. */
export interface PublishedDependency {
  /** The dependency's service name. */
  readonly name: string;
  /** True when it is needed only at startup. */
  readonly onlyAtStartup: boolean;
}

/** Consul's longest Meta value (characters): a longer one fails the whole registration (400). */
export const META_VALUE_MAX = 512;

/**
 * Most keys one list takes (Consul allows 64 Meta pairs in all): 30 keys hold at least 15,000
 * characters of names; what would not fit is not published.
 */
const MAX_KEYS_PER_LIST = 30;

/**
 * The Meta entries that publish `dependencies` (none when there are none). A list longer than
 * {@linkcode META_VALUE_MAX} goes on under numbered keys: `amp-pilot-dependencies`, then
 * `amp-pilot-dependencies-2`, `-3`…
 */
export function dependencyMeta(
  dependencies: readonly PublishedDependency[],
): Record<string, string> {
  if (dependencies.length === 0) return {};
  const meta: Record<string, string> = {};
  publish(meta, DEPENDENCIES_META_KEY, dependencies.map((d) => d.name));
  publish(
    meta,
    STARTUP_ONLY_META_KEY,
    dependencies.filter((d) => d.onlyAtStartup).map((d) => d.name),
  );
  return meta;
}

/** Puts `names`, comma-separated, under `key` and its numbered keys, each value short enough. */
function publish(meta: Record<string, string>, key: string, names: readonly string[]): void {
  const values: string[] = [];
  for (const name of names) {
    const last = values.at(-1);
    if (last !== undefined && last.length + 1 + name.length <= META_VALUE_MAX) {
      values[values.length - 1] = `${last},${name}`;
    } else values.push(name);
  }
  values.slice(0, MAX_KEYS_PER_LIST).forEach((value, i) => (meta[numbered(key, i)] = value));
}

/** The list under `key` and its numbered keys; `undefined` when `key` is absent. */
function read(meta: Readonly<Record<string, string>>, key: string): string[] | undefined {
  if (meta[key] === undefined) return undefined;
  const listed: string[] = [];
  let value: string | undefined = meta[key];
  for (let i = 1; value !== undefined; value = meta[numbered(key, i++)]) {
    listed.push(...names(value));
  }
  return listed;
}

function numbered(key: string, i: number): string {
  return i === 0 ? key : `${key}-${i + 1}`;
}

/**
 * The dependencies a registration's Meta publishes; `undefined` when it publishes none (not a
 * pilot, or a pilot without dependencies).
 */
export function dependenciesFromMeta(
  meta: Readonly<Record<string, string>> | undefined,
): PublishedDependency[] | undefined {
  if (meta === undefined) return undefined;
  const listed = read(meta, DEPENDENCIES_META_KEY);
  if (listed === undefined) return undefined;
  const startupOnly = new Set(read(meta, STARTUP_ONLY_META_KEY) ?? []);
  return listed.map((name) => ({ name, onlyAtStartup: startupOnly.has(name) }));
}

function names(text: string): string[] {
  return text.split(",").map((n) => n.trim()).filter((n) => n !== "");
}
