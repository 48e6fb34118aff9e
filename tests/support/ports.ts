/**
 * Free loopback ports for peers started by tests.
 *
 * @module
 */

/** Returns `count` distinct TCP ports that were free on 127.0.0.1 a moment ago. */
export function freePorts(count: number): Promise<number[]> {
  const listeners = Array.from(
    { length: count },
    () => Deno.listen({ hostname: "127.0.0.1", port: 0 }),
  );
  const ports = listeners.map((l) => (l.addr as Deno.NetAddr).port);
  for (const l of listeners) l.close();
  return Promise.resolve(ports);
}
