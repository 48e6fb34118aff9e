import { deepEqual, equal, match } from "node:assert/strict";
import { consulAddress } from "../../src/config/values.ts";
import { ConsulClient } from "../../src/consul/client.ts";
import { Registration } from "../../src/consul/registration.ts";
import { eventually } from "../support/eventually.ts";

/**
 * An agent whose writes the test holds and releases, or refuses: what a real agent cannot be
 * made to do on demand.
 */
function heldWrites(): {
  address: string;
  puts: { path: string; body: string }[];
  hold: boolean;
  refuse: { status: number; text: string } | undefined;
  release(): void;
} & AsyncDisposable {
  const held = new Set<() => void>();
  const closing = new AbortController();
  const state = {
    address: "",
    puts: [] as { path: string; body: string }[],
    hold: true,
    refuse: undefined as { status: number; text: string } | undefined,
    release() {
      for (const go of held) go();
      held.clear();
    },
    async [Symbol.asyncDispose]() {
      state.release();
      closing.abort();
      await server.finished;
    },
  };
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: closing.signal, onListen: () => {} },
    async (request) => {
      state.puts.push({ path: new URL(request.url).pathname, body: await request.text() });
      if (state.hold) await new Promise<void>((resolve) => held.add(resolve));
      if (state.refuse) return new Response(state.refuse.text, { status: state.refuse.status });
      return new Response("true");
    },
  );
  state.address = `127.0.0.1:${server.addr.port}`;
  return state;
}

function registrationAt(address: string, deregisterTimeoutMs = 1_000) {
  const client = new ConsulClient({ address: consulAddress.parse(address) });
  const registration = new Registration(client, {
    service: { id: "r-1", name: "r", check: { ttlMs: 3000, deregisterCriticalAfterMs: 60_000 } },
    deregisterTimeoutMs,
  });
  return { registration, [Symbol.dispose]: () => client.close() };
}

Deno.test("Registration: one heartbeat in flight at most; a newer one replaces a waiting one", async () => {
  await using agent = heldWrites();
  using r = registrationAt(agent.address);
  const first = r.registration.heartbeat("passing", "a", 5_000);
  await eventually(() => equal(agent.puts.length, 1));
  const second = r.registration.heartbeat("critical", "b", 5_000);
  const third = r.registration.heartbeat("passing", "c", 5_000);
  deepEqual(await second, { result: "superseded" });
  equal(agent.puts.length, 1, "nothing sent while the first heartbeat waits");
  agent.hold = false;
  agent.release();
  deepEqual(await first, { result: "ok" });
  deepEqual(await third, { result: "ok" });
  deepEqual(agent.puts.map((p) => JSON.parse(p.body).Output), ["a", "c"]);
});

Deno.test("Registration: a heartbeat without an answer fails at its deadline", async () => {
  await using agent = heldWrites();
  using r = registrationAt(agent.address);
  const outcome = await r.registration.heartbeat("passing", "x", 300);
  equal(outcome.result, "failed");
  if (outcome.result === "failed") {
    equal(outcome.status, undefined);
    match(outcome.reason, /no answer within 300 ms/);
  }
});

Deno.test("Registration: a deregistration abandons a hung registration at once", async () => {
  await using agent = heldWrites();
  using r = registrationAt(agent.address, 300);
  const registered = r.registration.register();
  await eventually(() => equal(agent.puts.length, 1));
  const deregistered = r.registration.deregister();
  deepEqual(await registered, { result: "superseded" });
  await eventually(() => equal(agent.puts.length, 2));
  equal(agent.puts[1]!.path, "/v1/agent/service/deregister/r-1");
  const outcome = await deregistered;
  equal(outcome.result, "failed", "the deregistration has its own deadline");
  await r.registration.settled();
});

Deno.test("Registration: a refusal carries Consul's status and message", async () => {
  await using agent = heldWrites();
  agent.hold = false;
  agent.refuse = { status: 403, text: "Permission denied: lacks service:write" };
  using r = registrationAt(agent.address);
  deepEqual(await r.registration.register(), {
    result: "failed",
    status: 403,
    reason: "Permission denied: lacks service:write",
  });
});
