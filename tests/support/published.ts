/**
 * Service instances registered the way pilots publish themselves: their dependencies in Meta.
 *
 * @module
 */

import type { ConsulClient } from "../../src/consul/client.ts";
import { dependencyMeta, type PublishedDependency } from "../../src/consul/dependency_meta.ts";

/**
 * Registers instance `<name>-1` of `name` with the Meta a pilot publishes for `deps` (a plain
 * name: needed always), its TTL check `status`.
 */
export async function publishInstance(
  client: ConsulClient,
  name: string,
  deps: readonly (string | PublishedDependency)[],
  status: "passing" | "critical",
): Promise<void> {
  const published = deps.map((d) => typeof d === "string" ? { name: d, onlyAtStartup: false } : d);
  await client.registerService({
    id: `${name}-1`,
    name,
    port: 80,
    meta: { "amp-pilot-version": "0.1.0", ...dependencyMeta(published) },
    check: { ttlMs: 600_000, deregisterCriticalAfterMs: 600_000, status },
  });
}
