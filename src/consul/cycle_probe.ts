/**
 * Looks in Consul for a dependency cycle through a waiting pilot's own service (web → api → web),
 * reading the dependencies that the other pilots publish in their registrations' Meta.
 *
 * @module
 */

import type { ConsulClient } from "./client.ts";
import { cycleThrough } from "./dependency_cycle.ts";
import { dependenciesFromMeta } from "./dependency_meta.ts";

/** Services read at the most, so that a large catalog cannot make one probe unbounded. */
const MAX_SERVICES = 200;

/**
 * A cycle through `self` (as a path `self → … → self`), following `dependencies` and then what
 * every instance of each dependency publishes, passing or not (a pilot waiting on a cycle is not
 * passing); `undefined` when there is none as far as Consul shows.
 *
 * @throws {ConsulError} When Consul cannot be read.
 */
export async function findDependencyCycle(
  client: ConsulClient,
  self: string,
  dependencies: readonly string[],
  signal?: AbortSignal,
): Promise<string[] | undefined> {
  const edges = new Map<string, readonly string[]>([[self, dependencies]]);
  const queue = [...dependencies];
  while (queue.length > 0 && edges.size < MAX_SERVICES) {
    const name = queue.shift()!;
    if (edges.has(name)) continue;
    const { entries } = await client.healthService(name, { signal });
    const published = new Set(
      entries.flatMap((e) => (dependenciesFromMeta(e.meta) ?? []).map((d) => d.name)),
    );
    edges.set(name, [...published]);
    queue.push(...published);
  }
  return cycleThrough(self, edges);
}
