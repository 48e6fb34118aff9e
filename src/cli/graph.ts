/**
 * `amp-pilot graph`: reads every service in Consul and the dependencies its pilots publish in
 * their registrations' Meta, and prints the system's dependency graph with each service's state.
 *
 * @module
 */

import type { Environment } from "../config/env.ts";
import { readConsulTls } from "../config/consul_tls.ts";
import { readToken } from "../config/load.ts";
import { readBoundedTextFile } from "../config/read_file.ts";
import { redactValue } from "../config/redact.ts";
import { consulAddress } from "../config/values.ts";
import { ConsulClient } from "../consul/client.ts";
import { allCycles } from "../consul/dependency_cycle.ts";
import { dependenciesFromMeta, type PublishedDependency } from "../consul/dependency_meta.ts";
import { ConsulError } from "../consul/errors.ts";
import { type GraphFormat, type GraphService, renderGraph } from "./graph_render.ts";

/** What `graph` needs. */
export interface GraphOptions {
  /** The environment: `CONSUL` (or `CONSUL_HTTP_ADDR`), `CONSUL_HTTP_TOKEN(_FILE)`. */
  readonly env: Environment;
  /** Output format. */
  readonly format: GraphFormat;
  /** Writes to stdout. */
  readonly out: (text: string) => void;
  /** Writes to stderr. */
  readonly err: (text: string) => void;
}

/** Runs `graph`; 0 when printed, 1 when Consul could not be read, 2 on a bad setting. */
export async function runGraph(options: GraphOptions): Promise<number> {
  const raw = options.env.CONSUL || options.env.CONSUL_HTTP_ADDR || "127.0.0.1:8500";
  const address = consulAddress.tryParse(raw);
  if (!address.ok) {
    options.err(`amp-pilot: graph: CONSUL=${redactValue("consul", raw)}: ${address.expected}\n`);
    return 2;
  }
  const problems: string[] = [];
  const token = await readToken(options.env, readBoundedTextFile, problems);
  const tls = await readConsulTls(options.env, address.value, readBoundedTextFile, problems, []);
  if (problems.length > 0) {
    options.err(`amp-pilot: graph: ${problems.join("; ")}\n`);
    return 2;
  }
  const client = new ConsulClient({ address: address.value, token: token?.value, tls: tls?.value });
  try {
    const services = await readServices(client);
    const edges = new Map(
      services.map((s) => [s.name, (s.dependencies ?? []).map((d) => d.name)]),
    );
    options.out(renderGraph(services, allCycles(edges), options.format));
    return 0;
  } catch (e) {
    if (!(e instanceof ConsulError)) throw e;
    options.err(`amp-pilot: graph: ${e.message}\n`);
    return 1;
  } finally {
    client.close();
  }
}

/** Every service with its state and published dependencies, dependencies not registered too. */
const QUERIES_AT_ONCE = 16;

async function readServices(client: ConsulClient): Promise<GraphService[]> {
  const names = (await client.catalogServices()).filter((n) => n !== "consul");
  const services: GraphService[] = [];
  // A few queries at a time: the agent allows 200 connections per client address, shared with
  // every pilot on the node, and a catalog may hold more services than that.
  for (let i = 0; i < names.length; i += QUERIES_AT_ONCE) {
    services.push(
      ...await Promise.all(
        names.slice(i, i + QUERIES_AT_ONCE).map(async (name) => {
          const all = (await client.healthService(name)).entries;
          // What `?passing` would return: every check of the instance and its node passing.
          const passing = all.filter((e) => e.checks.every((c) => c.status === "passing")).length;
          return { name, passing, instances: all.length, dependencies: published(all) };
        }),
      ),
    );
  }
  const known = new Set(names);
  for (const s of [...services]) {
    for (const d of s.dependencies ?? []) {
      if (known.has(d.name)) continue;
      known.add(d.name);
      services.push({ name: d.name, passing: 0, instances: 0, dependencies: undefined });
    }
  }
  return services.sort((a, b) => a.name.localeCompare(b.name));
}

/** The dependencies the instances publish (the union: instances of two versions may differ). */
function published(
  entries: readonly { readonly meta: Readonly<Record<string, string>> }[],
): PublishedDependency[] | undefined {
  const byName = new Map<string, PublishedDependency>();
  let any = false;
  for (const entry of entries) {
    const deps = dependenciesFromMeta(entry.meta);
    if (!deps) continue;
    any = true;
    for (const d of deps) {
      const before = byName.get(d.name);
      byName.set(d.name, {
        name: d.name,
        onlyAtStartup: (before?.onlyAtStartup ?? true) && d.onlyAtStartup,
      });
    }
  }
  return any ? [...byName.values()] : undefined;
}
