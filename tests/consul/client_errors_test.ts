import { equal, match, ok, rejects } from "node:assert/strict";
import { consulAddress } from "../../src/config/values.ts";
import { ConsulClient } from "../../src/consul/client.ts";
import { ConsulError } from "../../src/consul/errors.ts";
import { freePorts } from "../support/ports.ts";

function isConsulError(failure: string, pattern: RegExp) {
  return (e: unknown) => {
    ok(e instanceof ConsulError, String(e));
    equal(e.failure, failure);
    match(e.message, pattern);
    ok(e.isUnavailable);
    return true;
  };
}

Deno.test("ConsulClient reports a refused connection with the call that failed", async () => {
  const [port] = await freePorts(1);
  const consul = new ConsulClient({ address: consulAddress.parse(`127.0.0.1:${port}`) });
  try {
    await rejects(
      consul.registerService({ id: "a", name: "a" }),
      isConsulError(
        "unreachable",
        /^Consul call PUT \/v1\/agent\/service\/register failed: cannot connect: connection refused$/,
      ),
    );
  } finally {
    consul.close();
  }
});

Deno.test("ConsulClient gives up on an agent that does not answer within the timeout", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) held.push(conn); // accept and never answer
  })();
  const port = (listener.addr as Deno.NetAddr).port;
  const consul = new ConsulClient({
    address: consulAddress.parse(`127.0.0.1:${port}`),
    timeoutMs: 300,
  });
  try {
    await rejects(
      consul.healthService("db", { passing: true }),
      isConsulError("timeout", /GET \/v1\/health\/service\/db failed: no answer within 300 ms$/),
    );
  } finally {
    consul.close();
    listener.close();
    await accepting.catch(() => {});
    for (const conn of held) conn.close();
  }
});

Deno.test("ConsulClient rejects an answer that is not what the API promises", async () => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (req) =>
      new URL(req.url).pathname.startsWith("/v1/health/")
        ? new Response("<html>proxy error page</html>", { headers: { "X-Consul-Index": "7" } })
        : new Response(JSON.stringify({ not: "a string" })),
  );
  const consul = new ConsulClient({
    address: consulAddress.parse(`127.0.0.1:${server.addr.port}`),
  });
  try {
    await rejects(consul.healthService("db"), (e: unknown) => {
      ok(e instanceof ConsulError);
      equal(e.failure, "bad-response");
      match(e.message, /GET \/v1\/health\/service\/db failed: unexpected answer: expected JSON/);
      return true;
    });
    await rejects(consul.leader(), /unexpected answer: expected a JSON string/);
  } finally {
    consul.close();
    await server.shutdown();
  }
});

Deno.test("ConsulClient reports a missing unix socket clearly", async () => {
  const consul = new ConsulClient({
    address: consulAddress.parse("unix:///nonexistent/consul.sock"),
  });
  try {
    await rejects(
      consul.leader(),
      isConsulError("unreachable", /GET \/v1\/status\/leader failed: cannot connect: /),
    );
  } finally {
    consul.close();
  }
});
