/**
 * Finds Kafka brokers through ZooKeeper: brokers in ZooKeeper mode register themselves under
 * `/brokers/ids/<id>` with their endpoints. Loaded only when `KAFKA` names a ZooKeeper.
 *
 * @module
 */

import zookeeper from "npm:node-zookeeper-client@^1.1.3";
import { after, type Timer } from "../timer.ts";

/** The part of node-zookeeper-client's client used here (the package ships no types). */
interface ZkClient {
  connect(): void;
  close(): void;
  once(event: "connected", listener: () => void): void;
  getChildren(path: string, callback: (error: Error | null, children: string[]) => void): void;
  getData(path: string, callback: (error: Error | null, data?: Uint8Array) => void): void;
}

const createClient = (zookeeper as unknown as {
  createClient(
    where: string,
    options: { sessionTimeout: number; retries: number; spinDelay: number },
  ): ZkClient;
}).createClient;

/** The data a broker writes under `/brokers/ids/<id>`. */
interface BrokerRegistration {
  readonly endpoints?: readonly string[];
  /** Listener name → security protocol (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL). */
  readonly listener_security_protocol_map?: Readonly<Record<string, string>>;
  readonly host?: string;
  readonly port?: number;
}

/**
 * The `host:port` bootstrap list of every broker registered in ZooKeeper, preferring the
 * endpoint of each that speaks `protocol`.
 *
 * @param hosts The ensemble, `host:port` each.
 * @param chroot The chroot under which Kafka lives (`/` for none).
 * @param options `timeoutMs`, the longest time for the whole lookup (default 5 s); `protocol`,
 * the security protocol the pilot speaks (PLAINTEXT, the default, SSL, SASL_PLAINTEXT or
 * SASL_SSL).
 * @throws {Error} When ZooKeeper cannot be reached in time or lists no broker.
 */
export async function discoverBrokers(
  hosts: readonly string[],
  chroot: string,
  options: { readonly timeoutMs?: number; readonly protocol?: string } = {},
): Promise<string[]> {
  const { timeoutMs = 5_000, protocol = "PLAINTEXT" } = options;
  const where = `${hosts.join(",")}${chroot === "/" ? "" : chroot}`;
  // spinDelay: the library waits up to this long between rounds over the ensemble, on a timer
  // that close() cannot cancel; keep it short so that nothing lingers after a failed lookup.
  const client = createClient(where, { sessionTimeout: timeoutMs, retries: 0, spinDelay: 100 });
  let timer: Timer | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = after(
      timeoutMs,
      () => reject(new Error(`ZooKeeper ${where} did not answer within ${timeoutMs} ms`)),
    );
  });
  try {
    return await Promise.race([lookup(client, where, protocol), timeout]);
  } finally {
    timer?.cancel();
    client.close();
  }
}

async function lookup(client: ZkClient, where: string, protocol: string): Promise<string[]> {
  await new Promise<void>((resolve) => {
    client.once("connected", () => resolve());
    client.connect();
  });
  const ids = await new Promise<string[]>((resolve, reject) =>
    client.getChildren(
      "/brokers/ids",
      (error, children) => error ? reject(error) : resolve(children),
    )
  ).catch((e: Error) => {
    throw new Error(`ZooKeeper ${where} has no /brokers/ids: ${e.message}`);
  });
  const brokers: string[] = [];
  for (const id of ids) {
    const data = await new Promise<Uint8Array | undefined>((resolve, reject) =>
      client.getData(`/brokers/ids/${id}`, (error, bytes) => error ? reject(error) : resolve(bytes))
    );
    const address = brokerAddress(data ? new TextDecoder().decode(data) : "", protocol);
    if (address) brokers.push(address);
  }
  if (brokers.length === 0) throw new Error(`ZooKeeper ${where} lists no Kafka broker`);
  return brokers;
}

/**
 * The `host:port` of a broker's registration, preferring its endpoint that speaks `protocol`
 * (by the registration's listener map, else by the listener's name), else its first.
 */
export function brokerAddress(json: string, protocol = "PLAINTEXT"): string | undefined {
  let registration: BrokerRegistration;
  try {
    registration = JSON.parse(json);
  } catch {
    return undefined;
  }
  const endpoints = registration.endpoints ?? [];
  const protocols = registration.listener_security_protocol_map ?? {};
  const speaks = (endpoint: string) => {
    const listener = endpoint.slice(0, endpoint.indexOf("://"));
    return (protocols[listener] ?? listener) === protocol;
  };
  const chosen = endpoints.find(speaks) ?? endpoints[0];
  if (chosen) {
    const m = /^[A-Z_]+:\/\/(.+:\d+)$/i.exec(chosen);
    if (m) return m[1];
  }
  return registration.host && registration.port
    ? `${registration.host}:${registration.port}`
    : undefined;
}
