/**
 * The telemetry endpoint: `/metrics` (Prometheus text) and `/status` (the status file's JSON).
 * Loaded only when `AMPPILOT_TELEMETRY` is set.
 *
 * @module
 */

import { exposition, METRICS_CONTENT_TYPE, type MetricsInput } from "./metrics.ts";

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
  /** Stops listening. */
  close(): Promise<void>;
}

/**
 * Starts listening.
 *
 * @throws {Deno.errors.AddrInUse} And other errors of `Deno.serve` when it cannot listen.
 */
export function serveTelemetry(
  address: { readonly hostname: string; readonly port: number },
  source: TelemetrySource,
): TelemetryServer {
  const server = Deno.serve({
    hostname: address.hostname,
    port: address.port,
    onListen: () => {},
  }, (request) => respond(request, source));
  return {
    port: server.addr.port,
    close: () => server.shutdown(),
  };
}

function respond(request: Request, source: TelemetrySource): Response {
  if (request.method !== "GET" && request.method !== "HEAD") {
    return new Response("only GET\n", { status: 405, headers: { allow: "GET, HEAD" } });
  }
  switch (new URL(request.url).pathname) {
    case "/metrics":
      return new Response(exposition(source.metrics()), {
        headers: { "content-type": METRICS_CONTENT_TYPE },
      });
    case "/status":
      return Response.json(source.status());
    default:
      return new Response("not found: try /metrics or /status\n", { status: 404 });
  }
}
