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

/** One dependency as published. */
export interface PublishedDependency {
  /** The dependency's service name. */
  readonly name: string;
  /** True when it is needed only at startup. */
  readonly onlyAtStartup: boolean;
}

/** The Meta entries that publish `dependencies` (none when there are none). */
export function dependencyMeta(
  dependencies: readonly PublishedDependency[],
): Record<string, string> {
  if (dependencies.length === 0) return {};
  const meta: Record<string, string> = {
    [DEPENDENCIES_META_KEY]: dependencies.map((d) => d.name).join(","),
  };
  const startupOnly = dependencies.filter((d) => d.onlyAtStartup).map((d) => d.name);
  if (startupOnly.length > 0) meta[STARTUP_ONLY_META_KEY] = startupOnly.join(",");
  return meta;
}

/**
 * The dependencies a registration's Meta publishes; `undefined` when it publishes none (not a
 * pilot, or a pilot without dependencies).
 */
export function dependenciesFromMeta(
  meta: Readonly<Record<string, string>> | undefined,
): PublishedDependency[] | undefined {
  const listed = meta?.[DEPENDENCIES_META_KEY];
  if (listed === undefined) return undefined;
  const startupOnly = new Set(names(meta?.[STARTUP_ONLY_META_KEY] ?? ""));
  return names(listed).map((name) => ({ name, onlyAtStartup: startupOnly.has(name) }));
}

function names(text: string): string[] {
  return text.split(",").map((n) => n.trim()).filter((n) => n !== "");
}
