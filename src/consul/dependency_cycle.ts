/**
 * Cycles in the dependency graph that the pilots publish (web → api → web): a pilot on one waits
 * for ever, since each service waits for the next to be healthy.
 *
 * @module
 */

/** Edges of the graph: service name → the names it depends on. */
export type DependencyEdges = ReadonlyMap<string, readonly string[]>;

/**
 * A cycle through `start`, as the path `start → … → start`; `undefined` when there is none.
 * The shortest such cycle is returned (breadth-first), so the line naming it stays short.
 */
export function cycleThrough(start: string, edges: DependencyEdges): string[] | undefined {
  const previous = new Map<string, string>();
  const queue: string[] = [start];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i]!;
    for (const next of edges.get(node) ?? []) {
      if (next === start) return [...pathTo(node, start, previous), start];
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return undefined;
}

function pathTo(node: string, start: string, previous: ReadonlyMap<string, string>): string[] {
  const path = [node];
  for (let at = node; at !== start;) {
    at = previous.get(at)!;
    path.unshift(at);
  }
  return path;
}

/** Every cycle of the graph, each once, each as a path starting at its smallest name. */
export function allCycles(edges: DependencyEdges): string[][] {
  const seen = new Set<string>();
  const cycles: string[][] = [];
  for (const name of [...edges.keys()].sort()) {
    const cycle = cycleThrough(name, edges);
    if (!cycle) continue;
    const ring = cycle.slice(0, -1);
    const first = ring.indexOf([...ring].sort()[0]!);
    const rotated = [...ring.slice(first), ...ring.slice(0, first)];
    const key = rotated.join("\u0000");
    if (seen.has(key)) continue;
    seen.add(key);
    cycles.push([...rotated, rotated[0]!]);
  }
  return cycles;
}
