/**
 * Free loopback ports for peers started by tests.
 *
 * @module
 */

const SPAN = 12_000;

/**
 * Ports outside the kernel's ephemeral range (Linux's default is 32768-60999), so that
 * outgoing connections made meanwhile cannot take a port between the check and the peer's bind.
 */
function portRange(): [low: number, high: number] {
  let ephemeral = [32768, 60999];
  try {
    const read = Deno.readTextFileSync("/proc/sys/net/ipv4/ip_local_port_range")
      .trim().split(/\s+/).map(Number);
    if (read.length === 2 && read.every(Number.isInteger)) ephemeral = read;
  } catch {
    // not Linux, or no /proc: the default range
  }
  const [first, last] = ephemeral as [number, number];
  const [below, above] = [first - 1024, 65535 - last];
  // Little room outside it: ports inside the range, which a race can take.
  if (Math.max(below, above) < 1_000) return [1024, 1024 + SPAN];
  return below >= above
    ? [Math.max(1024, first - SPAN), first]
    : [last + 1, Math.min(65536, last + 1 + SPAN)];
}

const [LOW, HIGH] = portRange();

/** Every port handed out by this test process: two peers never get the same one. */
const handedOut = new Set<number>();

function bindable(port: number): boolean {
  try {
    Deno.listen({ hostname: "127.0.0.1", port }).close();
    return true;
  } catch {
    return false;
  }
}

/**
 * Returns `count` distinct TCP ports that were free on 127.0.0.1 a moment ago and that no earlier
 * call of this process returned (a port handed out may not be bound yet).
 */
export function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (!handedOut.has(port) && bindable(port)) {
      handedOut.add(port);
      ports.push(port);
    }
  }
  return Promise.resolve(ports);
}
