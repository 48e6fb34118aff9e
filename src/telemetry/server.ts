/**
 * The telemetry endpoint: `/metrics` (Prometheus text) and `/status` (the status file's JSON).
 * Loaded only when `AMPPILOT_TELEMETRY` is set.
 *
 * The pilot is PID 1 and anyone who reaches the port is a client, so the endpoint accepts
 * connections itself: at most {@linkcode MAX_CONNECTIONS} open at once (the others are closed at
 * once), each closed after {@linkcode CONNECTION_DEADLINE_MS} whatever its client does, one request
 * per connection. Idle connections can never use up the pilot's file descriptors.
 *
 * @module
 */

import { exposition, METRICS_CONTENT_TYPE, type MetricsInput } from "./metrics.ts";
import { type Answer, encodeAnswer, headEnd, parseRequestLine } from "./http_wire.ts";
import { closeQuietly } from "../net/close_quietly.ts";
import { writeAll } from "../log/write_all.ts";
import { after, sleep } from "../timer.ts";

/** What the server reads on each request. */
export interface TelemetrySource {
  /** The metrics now. */
  metrics(): MetricsInput;
  /** The status now (as written to the status file). */
  status(): unknown;
}

/** A running endpoint. */
export interface TelemetryServer {
  /** The port it listens on. */
  readonly port: number;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

/** Limits of the endpoint (the defaults suit a scraper or two). */
export interface TelemetryLimits {
  /** Connections open at once; more are closed as soon as accepted. */
  readonly maxConnections?: number;
  /** A connection is closed this long after it was accepted (ms). */
  readonly connectionDeadlineMs?: number;
}

/** Connections open at once. */
export const MAX_CONNECTIONS = 32;
/** How long a connection may take to send its request and read the answer (ms). */
export const CONNECTION_DEADLINE_MS = 5_000;
/** The longest request head read (bytes); a longer one is answered 431. */
const MAX_HEAD_BYTES = 8 * 1024;
/** The wait before accepting again when accepting failed (out of file descriptors, say). */
const ACCEPT_RETRY_MS = 100;

/**
 * Starts listening.
 *
 * @throws {Deno.errors.AddrInUse} And other errors of `Deno.listen` when it cannot listen.
 */
export function serveTelemetry(
  address: { readonly hostname: string; readonly port: number },
  source: TelemetrySource,
  limits: TelemetryLimits = {},
): TelemetryServer {
  const listener = Deno.listen({ hostname: address.hostname, port: address.port });
  const maxConnections = limits.maxConnections ?? MAX_CONNECTIONS;
  const deadlineMs = limits.connectionDeadlineMs ?? CONNECTION_DEADLINE_MS;
  const open = new Set<Deno.Conn>();
  let closed = false;
  const accepting = (async () => {
    while (!closed) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch (e) {
        if (closed || e instanceof Deno.errors.BadResource) return;
        await sleep(ACCEPT_RETRY_MS); // out of descriptors for now: the pending client waits
        continue;
      }
      if (open.size >= maxConnections) {
        closeQuietly(conn);
        continue;
      }
      open.add(conn);
      serveConnection(conn, source, deadlineMs).finally(() => open.delete(conn));
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    close: async () => {
      closed = true;
      closeQuietly(listener);
      for (const conn of open) closeQuietly(conn);
      await accepting;
    },
  };
}

/** Reads one request, answers it and closes the connection, by the deadline at the latest. */
async function serveConnection(
  conn: Deno.Conn,
  source: TelemetrySource,
  deadlineMs: number,
): Promise<void> {
  const deadline = after(deadlineMs, () => closeQuietly(conn));
  try {
    const head = await readHead(conn);
    const request = head && parseRequestLine(head);
    const answer = !head
      ? plain(431, "Request Header Fields Too Large", "the request's head is over 8 KiB\n")
      : !request
      ? plain(400, "Bad Request", "not an HTTP/1.x request\n")
      : respond(request.method, request.path, source);
    await writeAll(conn, encodeAnswer(answer, request?.method !== "HEAD"));
  } catch {
    // The client went away, or the deadline closed the connection: nothing to answer.
  } finally {
    deadline.cancel();
    closeQuietly(conn);
  }
}

/** The request's head, or undefined when it is longer than {@linkcode MAX_HEAD_BYTES}. */
async function readHead(conn: Deno.Conn): Promise<Uint8Array | undefined> {
  const buffer = new Uint8Array(MAX_HEAD_BYTES);
  let length = 0;
  while (length < buffer.length) {
    const n = await conn.read(buffer.subarray(length));
    if (n === null) throw new Error("the client closed before the end of its request's head");
    // The blank line may straddle two reads: look again from just before the new bytes.
    const from = Math.max(0, length - 3);
    length += n;
    const end = headEnd(buffer.subarray(from, length));
    if (end >= 0) return buffer.subarray(0, from + end);
  }
  return undefined;
}

function respond(method: string, path: string, source: TelemetrySource): Answer {
  if (method !== "GET" && method !== "HEAD") {
    return { ...plain(405, "Method Not Allowed", "only GET\n"), headers: PLAIN_ALLOW };
  }
  switch (path) {
    case "/metrics":
      return {
        status: 200,
        reason: "OK",
        headers: { "content-type": METRICS_CONTENT_TYPE },
        body: exposition(source.metrics()),
      };
    case "/status":
      return {
        status: 200,
        reason: "OK",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(source.status()),
      };
    default:
      return plain(404, "Not Found", "not found: try /metrics or /status\n");
  }
}

const PLAIN = { "content-type": "text/plain; charset=utf-8" };
const PLAIN_ALLOW = { ...PLAIN, allow: "GET, HEAD" };

function plain(status: number, reason: string, body: string): Answer {
  return { status, reason, headers: PLAIN, body };
}
