import { deepEqual, equal } from "node:assert/strict";
import { allCycles, cycleThrough } from "../../src/consul/dependency_cycle.ts";
import { dependenciesFromMeta, dependencyMeta } from "../../src/consul/dependency_meta.ts";

const edges = (graph: Record<string, string[]>) => new Map(Object.entries(graph));

Deno.test("a cycle through a service is found, the shortest one, as a path back to it", () => {
  const graph = edges({ web: ["api", "cache"], api: ["db", "web"], db: [], cache: ["db"] });
  deepEqual(cycleThrough("web", graph), ["web", "api", "web"]);
  deepEqual(cycleThrough("api", graph), ["api", "web", "api"]);
  equal(cycleThrough("db", graph), undefined);
  equal(cycleThrough("cache", graph), undefined, "reaching a cycle is not being on one");
  deepEqual(cycleThrough("a", edges({ a: ["a"] })), ["a", "a"]);
  deepEqual(cycleThrough("a", edges({ a: ["b"], b: ["c"], c: ["a"] })), ["a", "b", "c", "a"]);
});

Deno.test("every cycle of a graph is listed once", () => {
  const graph = edges({ web: ["api"], api: ["web"], x: ["y"], y: ["z"], z: ["x"], db: [] });
  deepEqual(allCycles(graph), [["api", "web", "api"], ["x", "y", "z", "x"]]);
  deepEqual(allCycles(edges({ web: ["api"], api: ["db"] })), []);
});

Deno.test("dependencies round-trip through a registration's Meta", () => {
  const deps = [{ name: "db", onlyAtStartup: false }, { name: "log-worker", onlyAtStartup: true }];
  const meta = dependencyMeta(deps);
  deepEqual(meta, {
    "amp-pilot-dependencies": "db,log-worker",
    "amp-pilot-startup-only": "log-worker",
  });
  deepEqual(dependenciesFromMeta({ "amp-pilot-version": "0.1.0", ...meta }), deps);
  deepEqual(dependencyMeta([]), {});
  equal(dependenciesFromMeta({ "amp-pilot-version": "0.1.0" }), undefined);
  equal(dependenciesFromMeta(undefined), undefined);
});
