/**
 * The IP registered in Consul: the configured one, or the first IPv4 (else IPv6) address of the
 * configured interface.
 *
 * @module
 */

/** An interface address as `Deno.networkInterfaces()` gives it. */
export interface InterfaceAddress {
  /** Interface name. */
  readonly name: string;
  /** Address family. */
  readonly family: "IPv4" | "IPv6";
  /** The address. */
  readonly address: string;
}

/**
 * Picks the address to register.
 *
 * @returns The address, or `undefined` with the reason (Consul then uses the agent's address).
 */
export function pickRegisteredIp(
  configured: string | undefined,
  interfaceName: string,
  interfaces: readonly InterfaceAddress[],
): { ip: string } | { ip: undefined; reason: string } {
  if (configured) return { ip: configured };
  const mine = interfaces.filter((i) => i.name === interfaceName);
  if (mine.length === 0) {
    const names = [...new Set(interfaces.map((i) => i.name))].join(", ") || "none";
    return { ip: undefined, reason: `no interface ${interfaceName} (interfaces: ${names})` };
  }
  const v4 = mine.find((i) => i.family === "IPv4");
  const v6 = mine.find((i) => i.family === "IPv6" && !i.address.startsWith("fe80:"));
  const pick = v4 ?? v6;
  return pick ? { ip: pick.address } : { ip: undefined, reason: `${interfaceName} has no address` };
}

/** The machine's interface addresses; empty when they cannot be read. */
export function listInterfaces(): InterfaceAddress[] {
  try {
    return Deno.networkInterfaces();
  } catch {
    return [];
  }
}
