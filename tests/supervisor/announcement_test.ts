import { deepEqual, equal, ok } from "node:assert/strict";
import { cycleMessage } from "../../src/supervisor/announcement.ts";
import { describePhase } from "../../src/runtime/status_snapshot.ts";
import type { CoreConfig } from "../../src/supervisor/types.ts";
import { acts, CONFIG, Harness, lines } from "../support/core_harness.ts";

const ANNOUNCING: CoreConfig = { ...CONFIG, announceAfterMs: 5_000, cycleProbeMs: 10_000 };

/** A pilot whose dependency db is missing, 5 s after its start. */
function waitingOnDb(): Harness {
  const h = new Harness(ANNOUNCING);
  const start = h.send({ type: "start", at: 0 });
  ok(start.some((c) => c.type === "set-timer" && c.timer === "announce" && c.delayMs === 5_000));
  h.healthy(10, "cache");
  h.send({ type: "dependency", name: "db", health: "unhealthy", at: 20 });
  return h;
}

Deno.test("after 5 s of waiting the instance is listed as waiting and a cycle is searched for", () => {
  const h = waitingOnDb();
  deepEqual(acts(h.send({ type: "timer", timer: "announce", at: 5_000 })), [
    { type: "register", epoch: 1, status: "critical", waiting: true },
    { type: "probe-cycle", missing: ["db"] },
    { type: "set-timer", timer: "announce", delayMs: 10_000 },
  ]);
  equal(h.state.registration, "announcing", "not listed until Consul says so");
  deepEqual(lines(h.accept("register", 5_010)), [
    "listed in Consul as waiting (check critical), with the dependencies it waits for",
  ]);
  equal(h.state.registration, "announced");
  deepEqual(
    acts(h.send({ type: "timer", timer: "announce", at: 15_000 })),
    [
      { type: "register", epoch: 2, status: "critical", waiting: true },
      { type: "probe-cycle", missing: ["db"] },
      { type: "set-timer", timer: "announce", delayMs: 10_000 },
    ],
    "listed again every period (Consul would reap a listing left alone), searched again",
  );
  equal(h.state.registration, "announced");
  deepEqual(lines(h.accept("register", 15_010)), [], "a renewal is not said");
});

Deno.test("a search that answers once nothing is missing any more is about the past", () => {
  const h = waitingOnDb();
  h.send({ type: "timer", timer: "announce", at: 5_000 });
  h.send({ type: "dependency", name: "db", health: "healthy", at: 5_010 });
  equal(h.state.phase, "starting");
  deepEqual(h.send({ type: "cycle-probed", cycle: ["api", "db", "api"], at: 5_020 }), []);
  equal(h.state.dependencyCycle, undefined);
});

Deno.test("a cycle is said once in one error line, shown in the status, and said gone", () => {
  const h = waitingOnDb();
  h.send({ type: "timer", timer: "announce", at: 5_000 });
  const cycle = ["api", "db", "api"];
  deepEqual(lines(h.send({ type: "cycle-probed", cycle, at: 5_020 })), [cycleMessage(cycle)]);
  equal(
    cycleMessage(cycle),
    "dependency cycle: api → db → api; no service of it can start until one of them drops " +
      "its dependency",
  );
  deepEqual(h.send({ type: "cycle-probed", cycle: [...cycle], at: 15_020 }), [], "said once");
  equal(
    describePhase(h.state, true),
    "waiting for db (unhealthy); dependency cycle: api → db → api",
  );
  const other = ["api", "db", "queue", "api"];
  deepEqual(lines(h.send({ type: "cycle-probed", cycle: other, at: 25_020 })), [
    cycleMessage(other),
  ]);
  deepEqual(lines(h.send({ type: "cycle-probed", cycle: undefined, at: 35_020 })), [
    "the dependency cycle api → db → queue → api is gone",
  ]);
  equal(describePhase(h.state, true), "waiting for db (unhealthy)");
});

Deno.test("a refused listing is one warning, asked again each period, said when accepted", () => {
  const h = waitingOnDb();
  h.send({ type: "timer", timer: "announce", at: 5_000 });
  const refuse = () =>
    h.send({
      type: "registration-result",
      call: "register",
      epoch: h.state.registrationEpoch,
      ok: false,
      status: 403,
      reason: "Permission denied",
      at: 5_010,
    });
  deepEqual(lines(refuse()), [
    "Consul refused the waiting instance (403 Permission denied); other pilots cannot see what " +
    "this one waits for",
  ]);
  equal(h.state.registration, "announcing");
  const again = h.send({ type: "timer", timer: "announce", at: 15_000 });
  ok(again.some((c) => c.type === "register" && c.epoch === 2 && c.status === "critical"));
  deepEqual(lines(refuse()), [], "the same refusal is not said twice");
  h.send({ type: "timer", timer: "announce", at: 25_000 });
  deepEqual(lines(h.accept("register", 25_010)), ["Consul lists the waiting instance again"]);
});

Deno.test("the mate starting replaces the waiting instance; a late answer about it is ignored", () => {
  const h = waitingOnDb();
  h.send({ type: "timer", timer: "announce", at: 5_000 });
  h.send({ type: "cycle-probed", cycle: ["api", "db", "api"], at: 5_020 });
  h.healthy(6_000, "db");
  equal(h.state.phase, "starting");
  equal(h.state.dependencyCycle, undefined);
  const spawned = acts(h.send({ type: "mate-spawned", pid: 100, at: 6_010 }));
  deepEqual(
    spawned.slice(0, 2),
    [
      { type: "register", epoch: 2, status: "passing" },
      { type: "heartbeat", epoch: 2, status: "passing", output: "mate ready", timeoutMs: 10_000 },
    ],
    "Consul keeps the critical status of a check registered again: a heartbeat passes it",
  );
  const late = h.send({
    type: "registration-result",
    call: "register",
    epoch: 1,
    ok: true,
    at: 6_020,
  });
  deepEqual(acts(late), []);
  equal(h.state.registration, "registering");
  h.accept("register", 6_030);
  h.accept("heartbeat", 6_040);
  equal(h.state.registration, "accepted");
  deepEqual(acts(h.send({ type: "timer", timer: "announce", at: 15_000 })), [], "not waiting");
});

Deno.test("a signal while the instance is listed as waiting takes it out before exiting", () => {
  const h = waitingOnDb();
  h.send({ type: "timer", timer: "announce", at: 5_000 });
  deepEqual(acts(h.send({ type: "signal", signal: "SIGTERM", at: 6_000 })), [
    { type: "deregister", epoch: 1 },
    { type: "exit", code: 0 },
  ]);
});

Deno.test("nothing is listed while only the restart backoff holds the mate back", () => {
  const h = new Harness(ANNOUNCING).running(0);
  h.accept();
  const stopped = h.send({ type: "mate-exited", code: 1, signal: null, at: 100 });
  ok(stopped.some((c) => c.type === "set-timer" && c.timer === "announce"));
  equal(h.state.phase, "waiting");
  deepEqual(acts(h.send({ type: "timer", timer: "announce", at: 200 })), [
    { type: "set-timer", timer: "announce", delayMs: 10_000 },
  ]);
  equal(h.state.registration, "none");
});

Deno.test("no announce timer without Consul, without dependencies, or when it is off", () => {
  for (
    const config of [{ ...ANNOUNCING, consul: false }, { ...ANNOUNCING, dependencies: [] }, CONFIG]
  ) {
    const h = new Harness(config);
    ok(
      !h.send({ type: "start", at: 0 }).some((c) =>
        c.type === "set-timer" && c.timer === "announce"
      ),
    );
  }
});
