import { deepEqual, equal, match, ok, rejects } from "node:assert/strict";
import { consulAddress } from "../../src/config/values.ts";
import { ConsulClient } from "../../src/consul/client.ts";
import { ConsulError } from "../../src/consul/errors.ts";
import { freePorts } from "../support/ports.ts";
import { testNoTimerLeftPending } from "../support/timers.ts";

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

Deno.test("ConsulClient names an X-Consul-Index that is missing or no index", async () => {
  let index: string | undefined;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response("[]", { headers: index === undefined ? {} : { "X-Consul-Index": index } }),
  );
  const consul = new ConsulClient({
    address: consulAddress.parse(`127.0.0.1:${server.addr.port}`),
  });
  try {
    await rejects(consul.healthService("db"), /unexpected answer: no X-Consul-Index header$/);
    for (const bad of ["-1", "abc", "99999999999999999999"]) {
      index = bad;
      await rejects(
        consul.healthService("db"),
        new RegExp(`X-Consul-Index "${bad}"; expected a non-negative integer below 2\\^53$`),
      );
    }
  } finally {
    consul.close();
    await server.shutdown();
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

Deno.test("ConsulClient stops reading an answer without end at 32 MiB", async () => {
  const chunk = new Uint8Array(1024 * 1024).fill(0x20);
  let sent = 0;
  await using endless = misbehavingServer(() =>
    new Response(
      new ReadableStream<Uint8Array>({
        pull(controller) {
          sent += chunk.byteLength;
          controller.enqueue(chunk);
        },
      }),
      { headers: { "X-Consul-Index": "7", "Content-Type": "application/json" } },
    )
  );
  const consul = new ConsulClient({
    address: consulAddress.parse(endless.address),
    timeoutMs: 120_000, // the limit ends the call, not the deadline
  });
  try {
    await rejects(
      consul.healthService("db", { passing: true }),
      (e: unknown) => {
        ok(e instanceof ConsulError, String(e));
        equal(e.failure, "bad-response");
        match(
          e.message,
          /GET \/v1\/health\/service\/db failed: unexpected answer: the answer is larger than 32 MiB$/,
        );
        return true;
      },
    );
    ok(sent < 64 * 1024 * 1024, `the server sent ${sent} bytes`);
  } finally {
    consul.close();
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

/** A server of the test's own: answers every request with `handler`, records what arrived. */
function misbehavingServer(handler: (req: Request) => Response | Promise<Response>) {
  const received: { url: string; token: string | null }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    received.push({ url: req.url, token: req.headers.get("X-Consul-Token") });
    return handler(req);
  });
  return {
    address: `127.0.0.1:${server.addr.port}`,
    url: `http://127.0.0.1:${server.addr.port}`,
    received,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

const TOKEN = "5ecret-t0ken-of-the-client-errors-test";

Deno.test("ConsulClient never follows a redirect: the token stays with the agent", async () => {
  await using elsewhere = misbehavingServer(() =>
    new Response("[]", { headers: { "X-Consul-Index": "1" } })
  );
  for (const status of [301, 302, 303, 307, 308]) {
    await using redirecting = misbehavingServer((req) =>
      new Response(null, {
        status,
        headers: { Location: `${elsewhere.url}${new URL(req.url).pathname}` },
      })
    );
    const consul = new ConsulClient({
      address: consulAddress.parse(redirecting.address),
      token: TOKEN,
    });
    try {
      for (const call of [() => consul.healthService("db"), () => consul.deregisterService("a")]) {
        await rejects(call(), (e: unknown) => {
          ok(e instanceof ConsulError, String(e));
          equal(e.failure, "redirect");
          equal(e.status, status);
          match(e.message, new RegExp(`failed: HTTP ${status} redirect, not followed`));
          ok(!e.message.includes(TOKEN) && !e.message.includes(elsewhere.url));
          return true;
        });
      }
      equal(redirecting.received.length, 2);
      equal(redirecting.received[0]?.token, TOKEN, "the agent's address got the token");
    } finally {
      consul.close();
    }
  }
  deepEqual(elsewhere.received, [], "nothing, and so no token, reached the other origin");
});

Deno.test("ConsulClient reports Consul's connection limit (429) as what it is", async () => {
  await using limited = misbehavingServer(() =>
    new Response(
      "Your IP is issuing too many concurrent connections, please rate limit your calls\n",
      { status: 429 },
    )
  );
  const consul = new ConsulClient({ address: consulAddress.parse(limited.address) });
  try {
    await rejects(consul.healthService("db", { passing: true }), (e: unknown) => {
      ok(e instanceof ConsulError, String(e));
      equal(e.failure, "connection-limit");
      equal(e.status, 429);
      ok(!e.isUnavailable, "Consul answered: it is reachable");
      equal(
        e.message,
        "Consul call GET /v1/health/service/db failed: the agent turned the connection away: " +
          "too many concurrent connections from this address (HTTP 429; the agent's " +
          "limits.http_max_conns_per_client, 200 by default, counts every open connection from " +
          "this address, those of other clients on it included)",
      );
      equal(
        e.reason,
        "Consul turned the connection away: too many concurrent connections from this address " +
          "(limits.http_max_conns_per_client)",
      );
      return true;
    });
  } finally {
    consul.close();
  }
});

Deno.test("ConsulClient reports another 429 as rate limiting", async () => {
  await using limited = misbehavingServer(() =>
    new Response("rate limit exceeded, try again later\n", { status: 429 })
  );
  const consul = new ConsulClient({ address: consulAddress.parse(limited.address) });
  try {
    await rejects(consul.deregisterService("a"), (e: unknown) => {
      ok(e instanceof ConsulError, String(e));
      equal(e.failure, "http");
      equal(e.status, 429);
      match(
        e.message,
        /HTTP 429: rate limit exceeded, try again later \(Consul is rate-limiting requests/,
      );
      return true;
    });
  } finally {
    consul.close();
  }
});

Deno.test("ConsulClient errors never echo the token, even when a server echoes it", async () => {
  await using echoing = misbehavingServer((req) => {
    const echoed = `you sent X-Consul-Token: ${req.headers.get("X-Consul-Token")}`;
    return new URL(req.url).pathname.startsWith("/v1/health/")
      ? new Response(`<html>${echoed}</html>`, { headers: { "X-Consul-Index": "3" } })
      : new Response(echoed, { status: 500 });
  });
  const consul = new ConsulClient({ address: consulAddress.parse(echoing.address), token: TOKEN });
  try {
    for (const call of [() => consul.healthService("db"), () => consul.deregisterService("a")]) {
      await rejects(call(), (e: unknown) => {
        ok(e instanceof ConsulError, String(e));
        match(e.message, /you sent X-Consul-Token: <token>/);
        ok(!e.message.includes(TOKEN), e.message);
        ok(!e.reason.includes(TOKEN), e.reason);
        return true;
      });
    }
  } finally {
    consul.close();
  }
});

Deno.test("ConsulClient errors hide the token echoed in another case or percent-encoded", async () => {
  const token = "Se/cret+T0ken";
  await using echoing = misbehavingServer((req) => {
    const sent = req.headers.get("X-Consul-Token") ?? "";
    return new Response(
      `denied ${sent.toLowerCase()} and ${encodeURIComponent(sent)} and ${sent.toUpperCase()}`,
      { status: 403 },
    );
  });
  const consul = new ConsulClient({ address: consulAddress.parse(echoing.address), token });
  try {
    await rejects(consul.deregisterService("a"), (e: unknown) => {
      ok(e instanceof ConsulError, String(e));
      match(e.message, /denied <token> and <token> and <token>/);
      for (const form of [token, token.toLowerCase(), encodeURIComponent(token)]) {
        ok(!e.message.toLowerCase().includes(form.toLowerCase()), e.message);
      }
      return true;
    });
  } finally {
    consul.close();
  }
});

Deno.test("ConsulClient refuses a token that is no header value without quoting it", async () => {
  await using server = misbehavingServer(() => new Response("true"));
  const secret = "line-one\nline-two-secret";
  const consul = new ConsulClient({ address: consulAddress.parse(server.address), token: secret });
  try {
    await rejects(consul.leader(), (e: unknown) => {
      ok(e instanceof ConsulError, String(e));
      match(e.message, /the ACL token is not a valid HTTP header value$/);
      ok(!e.message.includes("line-two-secret"), e.message);
      return true;
    });
    deepEqual(server.received, []);
  } finally {
    consul.close();
  }
});

testNoTimerLeftPending();
