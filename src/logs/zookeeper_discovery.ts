/**
 * Finds Kafka brokers through ZooKeeper: brokers in ZooKeeper mode register themselves under
 * `/brokers/ids/<id>` with their endpoints. Loaded only when `KAFKA` names a ZooKeeper.
 *
 * @module
 */

import { closeQuietly } from "../net/close_quietly.ts";
import { after } from "../timer.ts";
import {
  closeRequest,
  connectRequest,
  decodeChildren,
  decodeConnectResponse,
  decodeData,
  decodeReply,
  errorName,
  frameLength,
  NO_NODE,
  OP,
  type Reader,
  readRequest,
  ZooKeeperAnswerError,
} from "./zookeeper_wire.ts";

/**
 * The `host:port` bootstrap list of every broker registered in ZooKeeper, preferring the
 * endpoint of each that speaks `protocol`. The hosts of the ensemble are tried in turn, each for
 * its share of the deadline (a host that accepts and never answers does not hide the others);
 * at the lookup's deadline its connection is closed.
 *
 * @param hosts The ensemble, `host:port` each (`[::1]:2181` for IPv6).
 * @param chroot The chroot under which Kafka lives (`/` for none).
 * @param options `timeoutMs`, the longest time for the whole lookup (default 5 s); `protocol`,
 * the security protocol the pilot speaks (PLAINTEXT, the default, SSL, SASL_PLAINTEXT or
 * SASL_SSL).
 * @throws {Error} When ZooKeeper cannot be reached in time, answers what it should not, or lists
 * no broker; the message names the ensemble.
 */
export async function discoverBrokers(
  hosts: readonly string[],
  chroot: string,
  options: { readonly timeoutMs?: number; readonly protocol?: string } = {},
): Promise<string[]> {
  const { timeoutMs = 5_000, protocol = "PLAINTEXT" } = options;
  const where = `${hosts.join(",")}${chroot === "/" ? "" : chroot}`;
  const lookup = new Lookup(timeoutMs);
  const deadline = after(timeoutMs, () => lookup.expire());
  try {
    const session = await lookup.connect(hosts);
    const brokers = await brokersOf(session, chroot === "/" ? "" : chroot, protocol);
    // Courtesy only: the brokers are found whatever becomes of it.
    await session.goodbye().catch(() => {});
    return brokers;
  } catch (e) {
    if (lookup.expired) {
      const last = lookup.problems.at(-1);
      throw new Error(
        `ZooKeeper ${where} did not answer within ${timeoutMs} ms${last ? ` (${last})` : ""}`,
      );
    }
    const said = e instanceof ZooKeeperLookupError || e instanceof ZooKeeperAnswerError
      ? describe(e)
      : `failed: ${describe(e)}`;
    throw new Error(`ZooKeeper ${where} ${said}`);
  } finally {
    deadline.cancel();
    lookup.close();
  }
}

/** What went wrong with ZooKeeper, said after its address. */
class ZooKeeperLookupError extends Error {
  override name = "ZooKeeperLookupError";
}

async function brokersOf(session: Session, prefix: string, protocol: string): Promise<string[]> {
  const ids = await session.read(OP.getChildren, `${prefix}/brokers/ids`, decodeChildren);
  if ("err" in ids) throw new ZooKeeperLookupError(`has no /brokers/ids: ${errorName(ids.err)}`);
  const brokers: string[] = [];
  for (const id of ids.value) {
    const data = await session.read(OP.getData, `${prefix}/brokers/ids/${id}`, decodeData);
    // A broker that left between the two requests is no broker to use.
    if ("err" in data && data.err === NO_NODE) continue;
    if ("err" in data) {
      throw new ZooKeeperLookupError(
        `refused the registration of broker ${id}: ${errorName(data.err)}`,
      );
    }
    const address = brokerAddress(new TextDecoder().decode(data.value), protocol);
    if (address) brokers.push(address);
  }
  if (brokers.length === 0) throw new ZooKeeperLookupError("lists no Kafka broker");
  return brokers;
}

/** A host's least share of the lookup's deadline (ms), however many hosts there are. */
const MIN_HOST_SHARE_MS = 500;

/** One lookup's connection attempts, closed all at once at its deadline. */
class Lookup {
  readonly problems: string[] = [];
  #expired = false;
  #conn: Deno.Conn | undefined;
  readonly #timeoutMs: number;
  readonly #expiry = Promise.withResolvers<never>();

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
    this.#expiry.promise.catch(() => {});
  }

  get expired(): boolean {
    return this.#expired;
  }

  /** A session on the first host of `hosts` that grants one, each tried for its share. */
  async connect(hosts: readonly string[]): Promise<Session> {
    const shareMs = Math.max(MIN_HOST_SHARE_MS, Math.floor(this.#timeoutMs / hosts.length));
    let reached = false;
    for (const [i, host] of hosts.entries()) {
      if (this.#expired) break;
      const attempt = Promise.withResolvers<never>();
      attempt.promise.catch(() => {});
      let abandoned = false;
      // The last host has what is left of the lookup's deadline.
      const timer = i === hosts.length - 1 ? undefined : after(shareMs, () => {
        abandoned = true;
        attempt.reject(new ZooKeeperLookupError(`no answer within ${shareMs} ms`));
        this.#closeConn();
      });
      const race = <T>(p: Promise<T>) => Promise.race([this.#race(p), attempt.promise]);
      try {
        const dialing = dial(host);
        // A connection made after its time is closed as soon as it is made.
        dialing.then((conn) => (abandoned || this.#expired) && closeQuietly(conn), () => {});
        const conn = await race(dialing);
        this.#conn = conn;
        reached = true;
        const session = new Session(conn, race);
        await session.open(this.#timeoutMs);
        // The session is this lookup's now: only the lookup's deadline bounds it.
        session.bound((p) => this.#race(p));
        return session;
      } catch (e) {
        abandoned = true;
        if (this.#expired) throw e;
        this.problems.push(`${host}: ${describe(e)}`);
        this.#closeConn();
      } finally {
        timer?.cancel();
      }
    }
    if (this.#expired) throw new Error("expired");
    const what = reached ? "gave no session" : "could not be reached";
    throw new ZooKeeperLookupError(`${what} (${this.problems.join("; ")})`);
  }

  /** Ends the lookup: what it waits for fails, its connection closes. */
  expire(): void {
    this.#expired = true;
    this.#expiry.reject(new Error("expired"));
    this.#closeConn();
  }

  close(): void {
    this.#closeConn();
  }

  /** `promise`, unless the lookup expires first. */
  #race<T>(promise: Promise<T>): Promise<T> {
    return Promise.race([promise, this.#expiry.promise]);
  }

  #closeConn(): void {
    if (this.#conn) closeQuietly(this.#conn);
    this.#conn = undefined;
  }
}

/** A promise bounded by a deadline: it rejects when the deadline comes first. */
type Race = <T>(promise: Promise<T>) => Promise<T>;

/** A ZooKeeper session over one connection: requests one at a time. */
class Session {
  readonly #conn: Deno.Conn;
  #race: Race;
  #xid = 0;

  constructor(conn: Deno.Conn, race: Race) {
    this.#conn = conn;
    this.#race = race;
  }

  /** From now on, what bounds each read and write. */
  bound(race: Race): void {
    this.#race = race;
  }

  /** Asks for a session; refused when the server grants none (timeout 0, say expired). */
  async open(timeoutMs: number): Promise<void> {
    await this.#write(connectRequest(timeoutMs));
    const grant = decodeConnectResponse(await this.#readFrame());
    if (grant.timeoutMs <= 0) throw new Error("refused the session");
  }

  /** Sends a read request for `path`; its decoded answer, or its error code. */
  async read<T>(
    op: number,
    path: string,
    decode: (body: Reader) => T,
  ): Promise<{ value: T } | { err: number }> {
    const xid = ++this.#xid;
    await this.#write(readRequest(xid, op, path));
    for (;;) {
      const { header, body } = decodeReply(await this.#readFrame());
      if (header.xid !== xid) continue; // a ping or watch event: none is asked for, skip it
      return header.err === 0 ? { value: decode(body) } : { err: header.err };
    }
  }

  /** Ends the session, so that the server drops it now rather than at its timeout. */
  async goodbye(): Promise<void> {
    await this.#write(closeRequest(++this.#xid));
  }

  async #readFrame(): Promise<Uint8Array> {
    return await this.#readExactly(frameLength(await this.#readExactly(4)));
  }

  async #readExactly(n: number): Promise<Uint8Array> {
    const bytes = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      const read = await this.#race(this.#conn.read(bytes.subarray(got)));
      if (read === null) throw new ZooKeeperLookupError("closed the connection mid-answer");
      got += read;
    }
    return bytes;
  }

  async #write(bytes: Uint8Array): Promise<void> {
    let written = 0;
    while (written < bytes.length) {
      written += await this.#race(this.#conn.write(bytes.subarray(written)));
    }
  }
}

/** Connects to `host:port` or `[v6]:port`. */
function dial(host: string): Promise<Deno.Conn> {
  const m = /^\[(.+)\]:(\d+)$/.exec(host) ?? /^(.+):(\d+)$/.exec(host);
  if (!m) return Promise.reject(new Error("not host:port"));
  return Deno.connect({ hostname: m[1]!, port: Number(m[2]) });
}

/** A problem in a few words: a bad answer says so, other errors keep their message. */
function describe(e: unknown): string {
  if (e instanceof ZooKeeperAnswerError) return `sent a bad answer (${e.message})`;
  return e instanceof Error ? e.message : String(e);
}

/**
 * The `host:port` of a broker's registration, preferring its endpoint that speaks `protocol`
 * (by the registration's listener map, else by the listener's name), else its first.
 */
export function brokerAddress(json: string, protocol = "PLAINTEXT"): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return undefined;
  }
  // Written by a broker, read as anything at all: a field of another type counts as missing.
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return undefined;
  const registration = parsed as Record<string, unknown>;
  const endpoints = Array.isArray(registration.endpoints)
    ? registration.endpoints.filter((e): e is string => typeof e === "string")
    : [];
  const map = registration.listener_security_protocol_map;
  const protocols = typeof map === "object" && map !== null
    ? map as Readonly<Record<string, unknown>>
    : {};
  const speaks = (endpoint: string) => {
    const listener = endpoint.slice(0, endpoint.indexOf("://"));
    return (protocols[listener] ?? listener) === protocol;
  };
  const chosen = endpoints.find(speaks) ?? endpoints[0];
  if (chosen) {
    const m = /^[A-Z_]+:\/\/(.+:\d+)$/i.exec(chosen);
    if (m) return m[1];
  }
  const { host, port } = registration;
  return typeof host === "string" && host !== "" && Number.isInteger(port) &&
      (port as number) >= 1 && (port as number) <= 65535
    ? `${host}:${port}`
    : undefined;
}
