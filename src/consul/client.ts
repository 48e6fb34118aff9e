/**
 * A small Consul HTTP API client on `fetch`: only the calls the pilot needs, a timeout on every
 * call, the ACL token in `X-Consul-Token`, typed errors, and blocking queries.
 *
 * @module
 */

import type { ConsulAddress, ConsulTls } from "../config/types.ts";
import { parseIndexHeader } from "./blocking_index.ts";
import { formatDuration } from "./duration_text.ts";
import { ConsulError } from "./errors.ts";
import { BodyTooLargeError, readTextAtMost } from "../net/read_body.ts";
import { after } from "../timer.ts";

/** Status of a Consul check. */
export type CheckStatus = "passing" | "warning" | "critical";

/** A TTL check embedded in a service registration. */
export interface TtlCheck {
  /** Time to live: the check turns critical when not updated within it (ms). */
  readonly ttlMs: number;
  /** Consul removes the instance after the check stayed critical this long (ms). */
  readonly deregisterCriticalAfterMs: number;
  /** Initial status (Consul's default is critical). */
  readonly status?: CheckStatus;
  /** Human-readable notes. */
  readonly notes?: string;
}

/** A service instance to register with the local agent. */
export interface ServiceRegistration {
  /** Instance id, unique on the agent. */
  readonly id: string;
  /** Service name. */
  readonly name: string;
  /** Address registered; the agent's when absent. */
  readonly address?: string;
  /** Port registered. */
  readonly port?: number;
  /** Tags. */
  readonly tags?: readonly string[];
  /** Metadata. */
  readonly meta?: Readonly<Record<string, string>>;
  /** The TTL check, whose id is `service:<id>`. */
  readonly check?: TtlCheck;
}

/** One instance of a service as `/v1/health/service` returns it. */
export interface HealthEntry {
  /** Node name. */
  readonly node: string;
  /** Instance id. */
  readonly serviceId: string;
  /** Service name. */
  readonly service: string;
  /** Instance address (may be empty: the node's address applies). */
  readonly address: string;
  /** Instance port. */
  readonly port: number;
  /** Status of each check of the instance and its node. */
  readonly checks: readonly { readonly id: string; readonly status: string }[];
  /** The instance's Meta. */
  readonly meta: Readonly<Record<string, string>>;
}

/** The answer of a (possibly blocking) health query. */
export interface HealthResult {
  /** Matching instances. */
  readonly entries: readonly HealthEntry[];
  /** `X-Consul-Index` of the answer. */
  readonly index: number;
  /**
   * `X-Consul-Results-Filtered-By-Acls: true`: the ACL token may not see some instances.
   * Consul sends it only for a plain query with a token: never when no token applies to the
   * request, never for a blocking query that its streaming backend answers.
   */
  readonly filteredByAcls: boolean;
  /** `X-Consul-Default-Acl-Policy` (`allow`, `deny`), when Consul says. */
  readonly aclDefaultPolicy: string | undefined;
}

/** A resource of Consul's ACL rules this client asks about. */
export type AclResource = "service" | "node";

/** Options of a health query. */
export interface HealthQuery {
  /** Only instances whose every check passes. */
  readonly passing?: boolean;
  /** Block until the index moves past this one (0 or absent: answer at once). */
  readonly index?: number;
  /** Longest wait of a blocking query (ms); Consul's default is 5 minutes. */
  readonly waitMs?: number;
  /** Aborts the call. */
  readonly signal?: AbortSignal;
  /** Timeout of a plain (non-blocking) query (ms); the client's timeout when absent. */
  readonly timeoutMs?: number;
}

/** Options of one agent write: its own deadline, and a signal that abandons it. */
export interface CallOptions {
  /** Deadline of this call (ms); the client's timeout when absent. */
  readonly timeoutMs?: number;
  /** Abandons the call. */
  readonly signal?: AbortSignal;
}

/** Options of {@linkcode ConsulClient}. */
export interface ConsulClientOptions {
  /** Where the agent is. */
  readonly address: ConsulAddress;
  /** ACL token. */
  readonly token?: string;
  /** TLS material for an https address. */
  readonly tls?: ConsulTls;
  /** Timeout of every non-blocking call (ms); default 5000. */
  readonly timeoutMs?: number;
}

/** The TTL check id of a service instance. */
export function serviceCheckId(serviceId: string): string {
  return `service:${serviceId}`;
}

/** Formats milliseconds as a Go duration Consul accepts. */
export function goDuration(ms: number): string {
  return `${Math.max(1, Math.round(ms))}ms`;
}

const DEFAULT_TIMEOUT_MS = 5_000;
const DEFAULT_WAIT_MS = 300_000;
/** Consul's answer past `limits.http_max_conns_per_client`. */
const CONNECTION_LIMIT_BODY = /too many concurrent connections/i;
/** What Deno's HTTP client says when a server answers before the request is sent. */
const ANSWERED_EARLY = /received unexpected message from connection/i;
const MAX_DETAIL = 300;
/**
 * The largest answer read: far above what a big catalog answers (an instance in
 * `/v1/health/service` takes 1–2 KiB, so this is over 16,000 of them), low enough that an
 * endless body does not take the container's memory.
 */
const MAX_ANSWER_BYTES = 32 * 1024 * 1024;

/** The HTTP client a Consul address needs: a unix socket, TLS material, or the default. */
function httpClientFor(
  address: ConsulAddress,
  tls: ConsulTls | undefined,
): Deno.HttpClient | undefined {
  if (address.kind === "unix") {
    return Deno.createHttpClient({ proxy: { transport: "unix", path: address.path } });
  }
  if (!tls || !address.baseUrl.startsWith("https://")) return undefined;
  const caCerts = [...tls.caCerts];
  return tls.cert !== undefined && tls.key !== undefined
    ? Deno.createHttpClient({ caCerts, cert: tls.cert, key: tls.key })
    : Deno.createHttpClient({ caCerts });
}

/** Client of the Consul agent's HTTP API. Close it when done (it may hold a socket client). */
export class ConsulClient {
  readonly #baseUrl: string;
  readonly #token: string | undefined;
  readonly #timeoutMs: number;
  readonly #httpClient: Deno.HttpClient | undefined;

  /** Creates a client; no request is made. */
  constructor(options: ConsulClientOptions) {
    this.#baseUrl = options.address.baseUrl;
    this.#token = options.token;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#httpClient = httpClientFor(options.address, options.tls);
  }

  /** True when the client sends an ACL token (else the agent's default, or the anonymous one). */
  get sendsToken(): boolean {
    return this.#token !== undefined && this.#token !== "";
  }

  /**
   * The longest a blocking query with this wait may last before the client gives up on it:
   * the wait, Consul's jitter (up to wait/16), and the timeout of a plain call.
   */
  blockingDeadlineMs(waitMs: number): number {
    return waitMs + waitMs / 16 + this.#timeoutMs;
  }

  /** Releases the socket client, if any. */
  close(): void {
    this.#httpClient?.close();
  }

  /** The address of the cluster leader; empty while there is none. */
  async leader(): Promise<string> {
    const { body } = await this.#request("GET", "/v1/status/leader");
    const leader = this.#json(body, "GET /v1/status/leader");
    if (typeof leader !== "string") {
      throw new ConsulError("GET /v1/status/leader", "bad-response", "expected a JSON string");
    }
    return leader;
  }

  /** Registers (or replaces) a service instance with its TTL check. */
  async registerService(
    registration: ServiceRegistration,
    options: CallOptions = {},
  ): Promise<void> {
    await this.#request(
      "PUT",
      "/v1/agent/service/register",
      registrationBody(registration),
      options,
    );
  }

  /** Deregisters a service instance and its checks. */
  async deregisterService(serviceId: string, options: CallOptions = {}): Promise<void> {
    const path = `/v1/agent/service/deregister/${encodeURIComponent(serviceId)}`;
    await this.#request("PUT", path, undefined, options);
  }

  /**
   * Puts a service instance in or out of maintenance: while on, Consul adds a critical check
   * (`_service_maintenance:<id>`) with `reason`, so no passing query returns the instance.
   *
   * @throws {ConsulError} With `isNotFound` when the agent does not know the instance.
   */
  async setServiceMaintenance(
    serviceId: string,
    enable: boolean,
    reason = "",
    options: CallOptions = {},
  ): Promise<void> {
    const query = new URLSearchParams({ enable: String(enable) });
    if (enable && reason !== "") query.set("reason", reason);
    const path = `/v1/agent/service/maintenance/${encodeURIComponent(serviceId)}?${query}`;
    await this.#request("PUT", path, undefined, options);
  }

  /**
   * Sets a TTL check's status and output, resetting its TTL clock.
   *
   * @throws {ConsulError} With `isNotFound` when the agent does not know the check.
   */
  async updateTtlCheck(
    checkId: string,
    status: CheckStatus,
    output = "",
    options: CallOptions = {},
  ): Promise<void> {
    await this.#request("PUT", `/v1/agent/check/update/${encodeURIComponent(checkId)}`, {
      Status: status,
      Output: output,
    }, options);
  }

  /**
   * Instances of a service, optionally only passing ones, optionally as a blocking query.
   *
   * @param name Service name.
   * @param query Filter, blocking index and wait.
   */
  async healthService(name: string, query: HealthQuery = {}): Promise<HealthResult> {
    const params = new URLSearchParams();
    if (query.passing) params.set("passing", "");
    const index = query.index ?? 0;
    if (index > 0) {
      params.set("index", String(index));
      if (query.waitMs !== undefined) params.set("wait", goDuration(query.waitMs));
    }
    const path = `/v1/health/service/${encodeURIComponent(name)}`;
    const qs = params.toString().replace(/passing=(&|$)/, "passing$1");
    const timeoutMs = index > 0
      ? this.blockingDeadlineMs(query.waitMs ?? DEFAULT_WAIT_MS)
      : query.timeoutMs ?? this.#timeoutMs;
    const { body, headers } = await this.#request("GET", `${path}?${qs}`, undefined, {
      timeoutMs,
      signal: query.signal,
    });
    const call = `GET ${path}`;
    const header = headers.get("X-Consul-Index");
    const received = parseIndexHeader(header);
    if (received === undefined) {
      throw new ConsulError(
        call,
        "bad-response",
        header === null
          ? "no X-Consul-Index header"
          : `X-Consul-Index ${JSON.stringify(shorten(this.#scrub(header)))}; expected a ` +
            "non-negative integer below 2^53",
      );
    }
    return {
      entries: parseHealthEntries(this.#json(body, call), call),
      index: received,
      filteredByAcls: headers.get("X-Consul-Results-Filtered-By-Acls") === "true",
      aclDefaultPolicy: headers.get("X-Consul-Default-Acl-Policy") ?? undefined,
    };
  }

  /** The names of every service in the catalog (`GET /v1/catalog/services`). */
  async catalogServices(signal?: AbortSignal): Promise<string[]> {
    const call = "GET /v1/catalog/services";
    const { body } = await this.#request("GET", "/v1/catalog/services", undefined, { signal });
    const services = this.#json(body, call);
    if (typeof services !== "object" || services === null || Array.isArray(services)) {
      throw new ConsulError(call, "bad-response", "expected a JSON object of services");
    }
    return Object.keys(services).sort();
  }

  /**
   * Whether the ACL token of this client (or, when it sends none, the token Consul uses instead)
   * has `read` on `resource` `segment`, asked through `/v1/internal/acl/authorize`.
   */
  async aclAllowsRead(
    resource: AclResource,
    segment: string,
    signal?: AbortSignal,
  ): Promise<boolean> {
    const call = "POST /v1/internal/acl/authorize";
    const { body } = await this.#request(
      "POST",
      "/v1/internal/acl/authorize",
      [{ Resource: resource, Segment: segment, Access: "read" }],
      { signal },
    );
    const answer = this.#json(body, call);
    const allow = Array.isArray(answer) ? (answer[0] as Record<string, unknown>)?.Allow : undefined;
    if (typeof allow !== "boolean") {
      throw new ConsulError(call, "bad-response", "expected a JSON array of decisions");
    }
    return allow;
  }

  async #request(
    method: "GET" | "PUT" | "POST",
    pathAndQuery: string,
    json?: unknown,
    options: { timeoutMs?: number; signal?: AbortSignal | undefined } = {},
  ): Promise<{ body: string; headers: Headers }> {
    const call = `${method} ${pathAndQuery.replace(/\?.*$/, "")}`;
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    const controller = new AbortController();
    const timer = after(timeoutMs, () => controller.abort(new TimeoutMarker()));
    const onAbort = () => controller.abort(options.signal?.reason);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      if (options.signal?.aborted) throw options.signal.reason;
      const response = await fetch(`${this.#baseUrl}${pathAndQuery}`, {
        method,
        headers: this.#headers(call, json !== undefined),
        body: json === undefined ? undefined : JSON.stringify(json),
        signal: controller.signal,
        client: this.#httpClient,
        // The agent API never redirects, and a followed redirect would carry the token along.
        redirect: "manual",
      });
      if (response.status >= 300 && response.status < 400) {
        await response.body?.cancel();
        throw new ConsulError(call, "redirect", "", response.status);
      }
      const body = await readTextAtMost(response, MAX_ANSWER_BYTES);
      if (response.status === 429 && CONNECTION_LIMIT_BODY.test(body)) {
        throw new ConsulError(call, "connection-limit", "", 429);
      }
      if (!response.ok) {
        throw new ConsulError(call, "http", this.#scrub(firstLine(body)), response.status);
      }
      return { body, headers: response.headers };
    } catch (e) {
      if (e instanceof ConsulError) throw e;
      if (e instanceof BodyTooLargeError) throw new ConsulError(call, "bad-response", e.message);
      if (controller.signal.reason instanceof TimeoutMarker) {
        throw new ConsulError(call, "timeout", formatDuration(timeoutMs));
      }
      if (options.signal?.aborted) throw e;
      if (ANSWERED_EARLY.test(transportDetail(e))) {
        // Past its connection limit the agent answers 429 and closes before reading the
        // request; the HTTP client drops that answer and reports this instead.
        throw new ConsulError(call, "connection-limit", "", 429);
      }
      throw new ConsulError(call, "unreachable", this.#scrub(transportDetail(e)));
    } finally {
      timer.cancel();
      options.signal?.removeEventListener("abort", onAbort);
    }
  }

  #headers(call: string, hasBody: boolean): Headers {
    const headers = new Headers();
    try {
      if (this.#token) headers.set("X-Consul-Token", this.#token);
    } catch {
      // Deno's error would quote the value: the token.
      throw new ConsulError(call, "unreachable", "the ACL token is not a valid HTTP header value");
    }
    if (hasBody) headers.set("Content-Type", "application/json");
    return headers;
  }

  #json(body: string, call: string): unknown {
    try {
      return JSON.parse(body);
    } catch {
      const excerpt = JSON.stringify(shorten(this.#scrub(body)));
      throw new ConsulError(call, "bad-response", `expected JSON, got ${excerpt}`);
    }
  }

  /** Removes the token from text that came back (a proxy may echo request headers). */
  #scrub(text: string): string {
    if (!this.#token) return text;
    // As sent, and as an answer may echo it: in another case, or percent-encoded.
    const forms = new Set([this.#token, encodeURIComponent(this.#token)]);
    let scrubbed = text;
    for (const form of forms) {
      scrubbed = scrubbed.replace(new RegExp(escapeRegExp(form), "gi"), "<token>");
    }
    return scrubbed;
  }
}

class TimeoutMarker extends Error {}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function registrationBody(r: ServiceRegistration): Record<string, unknown> {
  const body: Record<string, unknown> = { ID: r.id, Name: r.name };
  if (r.address !== undefined) body.Address = r.address;
  if (r.port !== undefined) body.Port = r.port;
  if (r.tags !== undefined) body.Tags = [...r.tags];
  if (r.meta !== undefined) body.Meta = { ...r.meta };
  if (r.check !== undefined) {
    body.Check = {
      CheckID: serviceCheckId(r.id),
      Name: `${r.name} TTL heartbeat`,
      TTL: goDuration(r.check.ttlMs),
      DeregisterCriticalServiceAfter: goDuration(r.check.deregisterCriticalAfterMs),
      ...(r.check.status ? { Status: r.check.status } : {}),
      ...(r.check.notes ? { Notes: r.check.notes } : {}),
    };
  }
  return body;
}

function parseHealthEntries(value: unknown, call: string): HealthEntry[] {
  if (!Array.isArray(value)) {
    throw new ConsulError(call, "bad-response", "expected a JSON array of instances");
  }
  return value.map((entry: unknown, i) => {
    const e = entry as Record<string, Record<string, unknown> | unknown[] | undefined>;
    const node = e?.Node as Record<string, unknown> | undefined;
    const service = e?.Service as Record<string, unknown> | undefined;
    const checks = e?.Checks;
    if (typeof service?.ID !== "string" || typeof service?.Service !== "string") {
      throw new ConsulError(
        call,
        "bad-response",
        `instance ${i} has no Service.ID/Service.Service`,
      );
    }
    return {
      node: typeof node?.Node === "string" ? node.Node : "",
      serviceId: service.ID,
      service: service.Service,
      address: typeof service.Address === "string" ? service.Address : "",
      port: typeof service.Port === "number" ? service.Port : 0,
      meta: stringRecord(service.Meta),
      checks: Array.isArray(checks)
        ? checks.map((c) => ({
          id: String((c as Record<string, unknown>)?.CheckID ?? ""),
          status: String((c as Record<string, unknown>)?.Status ?? ""),
        }))
        : [],
    };
  });
}

function stringRecord(value: unknown): Record<string, string> {
  if (typeof value !== "object" || value === null) return {};
  return Object.fromEntries(
    Object.entries(value).filter((entry): entry is [string, string] =>
      typeof entry[1] === "string"
    ),
  );
}

function firstLine(text: string): string {
  return shorten(text.trim().split("\n")[0] ?? "");
}

function shorten(text: string): string {
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL)}…` : text;
}

function transportDetail(e: unknown): string {
  // Deno's fetch says "fetch failed" and puts the transport error in `cause`.
  const cause = e instanceof Error && e.cause instanceof Error ? e.cause.message : "";
  const message = `${e instanceof Error ? e.message : String(e)} ${cause}`.trim();
  if (/Connection refused|ECONNREFUSED/i.test(message)) return "connection refused";
  if (/No such file|ENOENT/i.test(message)) return "socket not found";
  if (/dns error|failed to lookup|Name or service not known/i.test(message)) {
    return "host name not found";
  }
  return shorten((cause || message).replace(/^error sending request for url \([^)]*\): /, ""));
}
