/**
 * Service instances registered the way pilots publish themselves: their dependencies in Meta.
 *
 * @module
 */

import type { ConsulClient } from "../../src/consul/client.ts";
import {
  dependencyMeta,
  type PublishedDependency,
  WAITING_META_KEY,
} from "../../src/consul/dependency_meta.ts";

/**
 * Registers instance `<name>-1` of `name` with the Meta a pilot publishes for `deps` (a plain
 * name: needed always), its TTL check `status`; marked as a waiting listing when `waiting` (by
 * default when critical).
 */
export async function publishInstance(
  client: ConsulClient,
  name: string,
  deps: readonly (string | PublishedDependency)[],
  status: "passing" | "critical",
  waiting: boolean = status === "critical",
): Promise<void> {
  const published = deps.map((d) => typeof d === "string" ? { name: d, onlyAtStartup: false } : d);
  await client.registerService({
    id: `${name}-1`,
    name,
    port: 80,
    meta: {
      "amp-pilot-version": "0.1.0",
      ...dependencyMeta(published),
      ...(waiting ? { [WAITING_META_KEY]: "true" } : {}),
    },
    check: { ttlMs: 600_000, deregisterCriticalAfterMs: 600_000, status },
  });
}
