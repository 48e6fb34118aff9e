import { deepEqual, equal, match, ok } from "node:assert/strict";
import { consulAddress } from "../../src/config/values.ts";
import { ConsulClient } from "../../src/consul/client.ts";
import {
  DEFAULT_RETRY_MAX_MS,
  type DependencyWatch,
  retryDelay,
  watchDependency,
} from "../../src/consul/dependency_watcher.ts";
import type { DependencyHealth } from "../../src/supervisor/types.ts";
import { startConsul } from "../support/consul.ts";
import { eventually } from "../support/eventually.ts";
import { testNoTimerLeftPending } from "../support/timers.ts";

/** What a watcher told its listener, in order. */
interface Reports {
  readonly health: { health: DependencyHealth; reason: string | undefined }[];
  readonly problems: (string | undefined)[];
}

function watch(
  client: ConsulClient,
  name: string,
  waitMs: number,
): { reports: Reports; watch: DependencyWatch } {
  const reports: Reports = { health: [], problems: [] };
  const watch = watchDependency(client, name, {
    health: (_, health, reason) => reports.health.push({ health, reason }),
    problem: (_, error) => reports.problems.push(error?.message),
  }, { waitMs, retryInitialMs: 20, retryMaxMs: 100 });
  return { reports, watch };
}

const PASSING_DB = JSON.stringify([{
  Node: { Node: "n1" },
  Service: { ID: "db-1", Service: "db", Address: "", Port: 5432 },
  Checks: [{ CheckID: "service:db-1", Status: "passing" }],
}]);

/**
 * A Consul stand-in that answers plain queries at once and never answers blocking ones
 * (`index` set): what a proxy that holds long requests, or a half-open connection, looks like.
 */
function hangingOnBlockingQueries() {
  const hung: Deno.Conn[] = [];
  let blocking = 0;
  let plain = 0;
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const answer = new TextEncoder().encode(
    `HTTP/1.1 200 OK\r\nX-Consul-Index: 5\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${PASSING_DB.length}\r\nConnection: close\r\n\r\n${PASSING_DB}`,
  );
  const serving = (async () => {
    for await (const conn of listener) {
      const buffer = new Uint8Array(4096);
      const n = await conn.read(buffer).catch(() => null);
      const head = new TextDecoder().decode(buffer.subarray(0, n ?? 0));
      if (/[?&]index=/.test(head.split("\r\n")[0] ?? "")) {
        blocking++;
        hung.push(conn); // never answered
      } else {
        plain++;
        await conn.write(answer).catch(() => {});
        conn.close();
      }
    }
  })();
  return {
    address: `127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    counts: () => ({ blocking, plain }),
    [Symbol.asyncDispose]: async () => {
      listener.close();
      await serving.catch(() => {});
      for (const conn of hung) {
        try {
          conn.close();
        } catch { /* closed by the client's abort already */ }
      }
    },
  };
}

Deno.test("a blocking query that outlives its wait is said once and asked again", async () => {
  await using server = hangingOnBlockingQueries();
  const client = new ConsulClient({
    address: consulAddress.parse(server.address),
    timeoutMs: 1000,
  });
  const { reports, watch: running } = watch(client, "db", 200);
  try {
    // Three blocking queries given up: each is followed by a plain one that answers.
    await eventually(
      () => ok(server.counts().blocking >= 3, JSON.stringify(server.counts())),
      20_000,
    );
    await eventually(() => ok(server.counts().plain >= 3), 20_000);
  } finally {
    await running.stop();
    client.close();
  }
  deepEqual(
    reports.health,
    [{ health: "healthy", reason: undefined }],
    "never unknown, never lost",
  );
  deepEqual(reports.problems, [
    "Consul did not answer the watch of db for 1.2 s (asked to answer within 200 ms); asking again",
    undefined,
  ]);
});

/** What a watch reports until its first problem, against a stand-in answering `response()`. */
async function untilFirstProblem(response: () => Response): Promise<Reports> {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, response);
  const client = new ConsulClient({
    address: consulAddress.parse(`127.0.0.1:${server.addr.port}`),
  });
  const { reports, watch: running } = watch(client, "db", 200);
  try {
    await eventually(() => equal(reports.problems.length, 1));
  } finally {
    await running.stop();
    client.close();
    await server.shutdown();
  }
  return reports;
}

const LIMIT_REASON = "Consul turned the connection away: too many concurrent connections from " +
  "this address (limits.http_max_conns_per_client)";

Deno.test("a watch refused for too many connections (429) says so, not 'unreachable'", async () => {
  const reports = await untilFirstProblem(() =>
    new Response(
      "Your IP is issuing too many concurrent connections, please rate limit your calls",
      { status: 429 },
    )
  );
  deepEqual(reports.health, [{ health: "unknown", reason: LIMIT_REASON }]);
  match(
    reports.problems[0]!,
    /too many concurrent connections .*limits\.http_max_conns_per_client/,
  );
  ok(!/unreachable|cannot connect/.test(reports.problems[0]!));
});

Deno.test("a watch answered with invalid JSON says so, not 'unreachable'", async () => {
  const reports = await untilFirstProblem(() =>
    new Response("<html><body>502 Bad Gateway</body></html>", {
      headers: { "X-Consul-Index": "9", "Content-Type": "text/html" },
    })
  );
  equal(reports.health.length, 1);
  equal(reports.health[0]?.health, "unknown");
  match(
    reports.health[0]?.reason ?? "",
    /^Consul's answer is not what its API promises: expected JSON, got "<html>/,
  );
  match(
    reports.problems[0]!,
    /^Consul call GET \/v1\/health\/service\/db failed: unexpected answer: expected JSON, got "<html>/,
  );
});

/**
 * Holds connections to a real agent, each waiting in a blocking query, the way many clients on
 * one address do, until the agent turns one away with 429: then every slot is taken. The
 * connection that `fetch` keeps open from starting the agent is kept busy too, so that the next
 * request of this process needs a new connection.
 */
async function fillConnectionLimit(port: number) {
  const pooled = new AbortController();
  const busy = fetch(
    `http://127.0.0.1:${port}/v1/health/service/nothing?index=1000000000&wait=60s`,
    { signal: pooled.signal },
  ).then((response) => response.body?.cancel(), () => {});
  const request = new TextEncoder().encode(
    "GET /v1/health/service/nothing?index=1000000000&wait=60s HTTP/1.1\r\nHost: consul\r\n\r\n",
  );
  const held: Deno.Conn[] = [];
  const release = async () => {
    pooled.abort();
    await busy;
    for (const conn of held) conn.close();
  };
  const opened = async (): Promise<boolean> => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(request);
    const buffer = new Uint8Array(64);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const answered = await Promise.race([
      conn.read(buffer).then((n) => n !== null, () => true),
      new Promise<false>((resolve) => timer = setTimeout(() => resolve(false), 200)),
    ]);
    clearTimeout(timer);
    if (answered) {
      conn.close();
      return false;
    }
    held.push(conn);
    return true;
  };
  try {
    // The first 190 at once (the limit is 200), then one by one until one is turned away.
    const batch = await Promise.all(Array.from({ length: 190 }, opened));
    if (batch.includes(false)) throw new Error("the agent refused a connection below its limit");
    while (await opened()) {
      if (held.length > 400) throw new Error("the agent never refused a connection");
    }
  } catch (e) {
    await release();
    throw e;
  }
  return { held: held.length, [Symbol.asyncDispose]: release };
}

Deno.test("a watch past a real agent's connection limit says 429, and recovers", async () => {
  await using agent = await startConsul();
  const client = new ConsulClient({ address: consulAddress.parse(agent.address) });
  let watching: { reports: Reports; watch: DependencyWatch } | undefined;
  try {
    {
      await using _full = await fillConnectionLimit(agent.httpPort);
      watching = watch(client, "db", 2_000);
      const { reports } = watching;
      await eventually(() => equal(reports.problems.length, 1));
      deepEqual(reports.health, [{
        health: "unknown",
        reason: LIMIT_REASON,
      }]);
      match(
        reports.problems[0]!,
        /too many concurrent connections .*limits\.http_max_conns_per_client/,
      );
    }
    const { reports } = watching;
    await eventually(() => equal(reports.health.at(-1)?.health, "unhealthy"), 15_000);
    deepEqual(reports.problems.at(-1), undefined, "queries work again");
  } finally {
    await watching?.watch.stop();
    client.close();
  }
});

Deno.test("the retry delay doubles from 100 ms and never exceeds 500 ms, jitter included", () => {
  const delays = (random: number) =>
    [0, 1, 2, 3, 4, 40, 5000].map((failures) => retryDelay(failures, {}, random));
  deepEqual(delays(0), [50, 100, 200, 250, 250, 250, 250]);
  deepEqual(delays(0.999999).map(Math.round), [100, 200, 400, 500, 500, 500, 500]);
  ok(delays(1).every((d) => d <= DEFAULT_RETRY_MAX_MS));
});

testNoTimerLeftPending();
