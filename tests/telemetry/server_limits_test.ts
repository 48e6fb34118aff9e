import { equal, match, ok } from "node:assert/strict";
import { serveTelemetry, type TelemetrySource } from "../../src/telemetry/server.ts";

const SOURCE: TelemetrySource = {
  metrics: () => ({
    mateUp: true,
    mateStarts: 1,
    dependencies: {},
    consulRequests: new Map(),
  }),
  status: () => ({ phase: "ready" }),
};

/** Sends `request` raw and returns everything the server answers until it closes. */
async function exchange(port: number, request: string | Uint8Array): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const bytes = typeof request === "string" ? new TextEncoder().encode(request) : request;
    let written = 0;
    while (written < bytes.length) written += await conn.write(bytes.subarray(written));
    return await new Response(conn.readable).text();
  } catch (e) {
    conn.close();
    throw e;
  }
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // closed
  }
}

/** Reads from `conn` until the server closes it; true when it did (EOF or reset). */
async function closedByServer(conn: Deno.Conn): Promise<boolean> {
  const buffer = new Uint8Array(1024);
  try {
    while ((await conn.read(buffer)) !== null) { /* an answer: read on until the end */ }
  } catch (e) {
    if (!(e instanceof Deno.errors.ConnectionReset)) throw e;
  }
  return true;
}

Deno.test("the telemetry endpoint answers GET and HEAD, and one line to what it does not serve", async () => {
  const server = serveTelemetry({ hostname: "127.0.0.1", port: 0 }, SOURCE);
  try {
    const metrics = await exchange(server.port, "GET /metrics HTTP/1.1\r\nHost: a\r\n\r\n");
    match(metrics, /^HTTP\/1\.1 200 OK\r\n/);
    match(metrics, /content-type: text\/plain; version=0\.0\.4; charset=utf-8\r\n/);
    match(metrics, /\r\n\r\n[^]*^amp_pilot_mate_up 1$/m);
    const status = await exchange(server.port, "GET /status?pretty HTTP/1.0\r\n\r\n");
    match(status, /content-type: application\/json\r\n[^]*\r\n\r\n\{"phase":"ready"\}$/);
    const head = await exchange(server.port, "HEAD /metrics HTTP/1.1\r\n\r\n");
    match(head, /^HTTP\/1\.1 200 OK\r\n[^]*content-length: [1-9]\d*\r\n[^]*\r\n\r\n$/);
    match(await exchange(server.port, "GET /nope HTTP/1.1\r\n\r\n"), /^HTTP\/1\.1 404 /);
    const bareLf = await exchange(server.port, "GET /metrics HTTP/1.0\n\n");
    match(bareLf, /^HTTP\/1\.1 200 OK\r\n[^]*^amp_pilot_mate_up 1$/m, "lines ending in a bare LF");
    const post = await exchange(server.port, "POST /metrics HTTP/1.1\r\n\r\n");
    match(post, /^HTTP\/1\.1 405 [^]*allow: GET, HEAD\r\n/);
    match(await exchange(server.port, "\x16\x03\x01garbage\r\n\r\n"), /^HTTP\/1\.1 400 /);
    const huge = `GET /metrics HTTP/1.1\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`;
    match(await exchange(server.port, huge), /^HTTP\/1\.1 431 /);
  } finally {
    await server.close();
  }
});

Deno.test("connections past the limit are closed at once; those within it are served", async () => {
  const server = serveTelemetry({ hostname: "127.0.0.1", port: 0 }, SOURCE, {
    maxConnections: 3,
    connectionDeadlineMs: 60_000,
  });
  const held: Deno.Conn[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      held.push(await Deno.connect({ hostname: "127.0.0.1", port: server.port }));
    }
    // Accepted after the three, while they are open and silent: closed without an answer.
    const over = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
    held.push(over);
    ok(await closedByServer(over));
    // The three were kept: the first one still gets its answer.
    const first = held[0]!;
    await first.write(new TextEncoder().encode("GET /metrics HTTP/1.1\r\n\r\n"));
    match(await new Response(first.readable).text(), /^HTTP\/1\.1 200 OK/);
  } finally {
    for (const conn of held) closeQuietly(conn);
    await server.close();
  }
});

Deno.test("a connection that sends nothing is closed at its deadline, and frees its place", async () => {
  const server = serveTelemetry({ hostname: "127.0.0.1", port: 0 }, SOURCE, {
    maxConnections: 1,
    connectionDeadlineMs: 200,
  });
  const idle = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  try {
    ok(await closedByServer(idle));
    match(await exchange(server.port, "GET /metrics HTTP/1.1\r\n\r\n"), /^HTTP\/1\.1 200 OK/);
  } finally {
    closeQuietly(idle);
    await server.close();
  }
});

Deno.test("close() stops listening and closes the connections still open", async () => {
  const server = serveTelemetry({ hostname: "127.0.0.1", port: 0 }, SOURCE);
  const idle = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  try {
    // Accepted once a request on another connection has been answered after it.
    match(await exchange(server.port, "GET /status HTTP/1.1\r\n\r\n"), /^HTTP\/1\.1 200 OK/);
    await server.close();
    ok(await closedByServer(idle));
    const refused = await Deno.connect({ hostname: "127.0.0.1", port: server.port }).then(
      (conn) => (conn.close(), false),
      (e) => e instanceof Deno.errors.ConnectionRefused,
    );
    equal(refused, true);
  } finally {
    closeQuietly(idle);
  }
});
