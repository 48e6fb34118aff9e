/**
 * Free loopback ports for peers started by tests.
 *
 * @module
 */

// Below Linux's ephemeral range (32768-60999), so that outgoing connections made meanwhile
// cannot take a port between the check and the peer's bind.
const LOW = 20_000;
const HIGH = 32_000;

function bindable(port: number): boolean {
  try {
    Deno.listen({ hostname: "127.0.0.1", port }).close();
    return true;
  } catch {
    return false;
  }
}

/** Returns `count` distinct TCP ports that were free on 127.0.0.1 a moment ago. */
export function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (!ports.has(port) && bindable(port)) ports.add(port);
  }
  return Promise.resolve([...ports]);
}
