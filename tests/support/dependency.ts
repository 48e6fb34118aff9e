/**
 * A dependency service in a real Consul whose health a test switches at will.
 *
 * @module
 */

import { consulAddress } from "../../src/config/values.ts";
import { ConsulClient, serviceCheckId } from "../../src/consul/client.ts";

/** A registered dependency instance. */
export interface FakeDependency extends AsyncDisposable {
  /** Makes its TTL check pass. */
  pass(): Promise<void>;
  /** Makes its TTL check critical. */
  fail(): Promise<void>;
}

/** Registers an instance of `name` (critical until {@linkcode FakeDependency.pass}). */
export async function fakeDependency(address: string, name: string): Promise<FakeDependency> {
  const client = new ConsulClient({ address: consulAddress.parse(address) });
  const id = `${name}-fake`;
  await client.registerService({
    id,
    name,
    port: 1,
    check: { ttlMs: 600_000, deregisterCriticalAfterMs: 600_000 },
  });
  return {
    pass: () => client.updateTtlCheck(serviceCheckId(id), "passing"),
    fail: () => client.updateTtlCheck(serviceCheckId(id), "critical", "failed by the test"),
    [Symbol.asyncDispose]: async () => {
      await client.deregisterService(id).catch(() => {});
      client.close();
    },
  };
}

/** Ids of the passing instances of `name`. */
export async function passingIds(address: string, name: string): Promise<string[]> {
  const client = new ConsulClient({ address: consulAddress.parse(address) });
  try {
    return (await client.healthService(name, { passing: true })).entries.map((e) => e.serviceId);
  } finally {
    client.close();
  }
}

/** Status of every instance of `name`'s own check: id → status. */
export async function checkStatuses(
  address: string,
  name: string,
): Promise<Record<string, string>> {
  const client = new ConsulClient({ address: consulAddress.parse(address) });
  try {
    const { entries } = await client.healthService(name);
    return Object.fromEntries(
      entries.map((e) => [
        e.serviceId,
        e.checks.find((c) => c.id === serviceCheckId(e.serviceId))?.status ?? "none",
      ]),
    );
  } finally {
    client.close();
  }
}
