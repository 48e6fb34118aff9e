/**
 * Looks in Consul for a dependency cycle that holds a waiting pilot's own service (web → api →
 * web), reading the dependencies that the other pilots publish in their registrations' Meta.
 *
 * Only what waiting pilots publish is followed (their instances are marked as waiting in Meta),
 * and only through services without a passing instance: a service that passes somewhere holds
 * nobody back, and a running instance waits for nothing, whatever its checks say (e.g. its ready
 * command fails, or it is in maintenance, while a dependency back is needed only at startup).
 *
 * @module
 */

import type { ConsulClient, HealthEntry } from "./client.ts";
import { ConsulError } from "./errors.ts";
import { isServiceName } from "../config/service_name.ts";
import { cycleThrough } from "./dependency_cycle.ts";
import { dependenciesFromMeta, isWaitingListing } from "./dependency_meta.ts";

/**
 * Whether a failure is about one service's answer (a refusal, an answer of the wrong shape),
 * not about Consul as a whole (unreachable, 5xx such as "No cluster leader", rate limits): only
 * the former leaves that service without edges; the latter fails the probe, so that a cycle
 * known before is not taken for gone.
 */
function aboutOneService(e: ConsulError): boolean {
  if (e.failure === "acl-filtered" || e.failure === "bad-response") return true;
  return e.failure === "http" && !e.isUnavailable && e.status !== 429;
}

/** Services read at the most, so that a large catalog cannot make one probe unbounded. */
const MAX_SERVICES = 200;

/**
 * A cycle through `self` (as a path `self → … → self`) in which no service has a passing
 * instance: from `missing` (the dependencies `self` waits for), following what the waiting
 * instances of each service publish; `undefined` when there is none as far as Consul shows.
 *
 * @throws {ConsulError} When Consul cannot be read.
 */
export async function findDependencyCycle(
  client: ConsulClient,
  self: string,
  missing: readonly string[],
  signal?: AbortSignal,
): Promise<string[] | undefined> {
  if (anyPassing((await client.healthService(self, { signal })).entries)) return undefined;
  const edges = new Map<string, readonly string[]>([[self, missing]]);
  const queue = [...missing];
  while (queue.length > 0 && edges.size < MAX_SERVICES) {
    const name = queue.shift()!;
    if (edges.has(name)) continue;
    let entries: readonly HealthEntry[];
    try {
      ({ entries } = await client.healthService(name, { signal }));
    } catch (e) {
      // Consul unreadable, or the probe called off: no probe. One service Consul will not
      // answer for (its name, its ACL) only has no edges to follow.
      if (signal?.aborted || !(e instanceof ConsulError) || !aboutOneService(e)) throw e;
      edges.set(name, []);
      continue;
    }
    const waitsFor = anyPassing(entries) ? [] : [...publishedDependencies(entries)];
    edges.set(name, waitsFor);
    queue.push(...waitsFor);
  }
  return cycleThrough(self, edges);
}

function anyPassing(entries: readonly HealthEntry[]): boolean {
  return entries.some((e) => e.checks.every((c) => c.status === "passing"));
}

/**
 * The dependencies the waiting instances publish. Any client of Consul can write Meta: a name
 * that is no service name (`..`, say, which a URL path takes for its parent) is not followed.
 */
function publishedDependencies(entries: readonly HealthEntry[]): Set<string> {
  return new Set(
    entries.filter((e) => isWaitingListing(e.meta))
      .flatMap((e) => (dependenciesFromMeta(e.meta) ?? []).map((d) => d.name))
      .filter(isServiceName),
  );
}
