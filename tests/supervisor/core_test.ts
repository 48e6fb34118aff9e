import { deepEqual, equal, ok } from "node:assert/strict";
import { DEREGISTER_HEAD_START_MS } from "../../src/supervisor/core.ts";
import { restartBackoff, restartDelayMs } from "../../src/supervisor/backoff.ts";
import type { CoreConfig } from "../../src/supervisor/types.ts";
import { acts, CONFIG, Harness, has, lines } from "../support/core_harness.ts";

Deno.test("step() waits for every dependency and starts when the last one passes", () => {
  const h = new Harness();
  deepEqual(acts(h.send({ type: "start", at: 0 })), []);
  deepEqual(acts(h.healthy(10, "db")), []);
  equal(h.state.phase, "waiting");
  deepEqual(acts(h.healthy(20, "cache")), [{ type: "spawn" }]);
  equal(h.state.phase, "starting");
  ok(h.state.mateRunning);
});

Deno.test("step() starts at once without dependencies, and in direct mode", () => {
  const none = new Harness({ ...CONFIG, dependencies: [] });
  deepEqual(acts(none.send({ type: "start", at: 0 })), [{ type: "spawn" }]);
  const direct = new Harness({ ...CONFIG, consul: false, dependencies: [] });
  deepEqual(acts(direct.send({ type: "start", at: 0 })), [{ type: "spawn" }]);
  deepEqual(acts(direct.send({ type: "mate-spawned", pid: 1, at: 0 })), []);
});

Deno.test("step() registers at once when there is no ready command", () => {
  const h = new Harness().running();
  equal(h.state.phase, "ready");
  equal(h.state.registration, "registering", "asked, not yet answered");
  deepEqual(acts(h.last!.commands), [
    { type: "register", epoch: 1, status: "passing" },
    { type: "set-timer", timer: "tick", delayMs: 10_000 },
  ]);
  h.accept();
  equal(h.state.registration, "accepted");
  deepEqual(acts(h.send({ type: "timer", timer: "tick", at: 10_000 })), [
    { type: "heartbeat", epoch: 1, status: "passing", output: "mate running", timeoutMs: 10_000 },
    { type: "set-timer", timer: "tick", delayMs: 10_000 },
  ]);
});

Deno.test("step() gates registration with the ready command at the startup period", () => {
  const h = new Harness({ ...CONFIG, hasReadyCommand: true }).running();
  equal(h.state.phase, "starting");
  deepEqual(acts(h.last!.commands), [{ type: "set-timer", timer: "tick", delayMs: 1000 }]);
  deepEqual(acts(h.send({ type: "timer", timer: "tick", at: 1000 })), [{
    type: "run-ready-check",
    run: 1,
  }]);
  // a second tick while the check runs does not start another one
  deepEqual(acts(h.send({ type: "timer", timer: "tick", at: 1500 })), []);
  deepEqual(
    acts(h.send({ type: "ready-result", run: 1, ok: false, output: "not yet", at: 1600 })),
    [
      { type: "set-timer", timer: "tick", delayMs: 1000 },
    ],
  );
  equal(h.state.registration, "none");
  h.send({ type: "timer", timer: "tick", at: 2600 });
  deepEqual(acts(h.send({ type: "ready-result", run: 1, ok: true, output: "", at: 2700 })), [
    { type: "register", epoch: 1, status: "passing" },
    { type: "set-timer", timer: "tick", delayMs: 10_000 },
  ]);
  equal(h.state.phase, "ready");
});

Deno.test("step() turns the check critical at once when the ready command fails on a ready mate", () => {
  const h = new Harness({ ...CONFIG, hasReadyCommand: true }).running();
  h.send({ type: "timer", timer: "tick", at: 1000 });
  h.send({ type: "ready-result", run: 1, ok: true, output: "", at: 1100 });
  h.send({ type: "timer", timer: "tick", at: 11_100 });
  deepEqual(
    acts(h.send({ type: "ready-result", run: 1, ok: false, output: "disk full", at: 11_200 })),
    [
      { type: "heartbeat", epoch: 1, status: "critical", output: "disk full", timeoutMs: 1000 },
      { type: "set-timer", timer: "tick", delayMs: 1000 },
    ],
  );
  ok(h.state.readyFailing);
  equal(h.state.phase, "ready");
  ok(!has(h.all, "signal-mate"), "a failing ready command never stops the mate");
  h.send({ type: "timer", timer: "tick", at: 12_200 });
  deepEqual(acts(h.send({ type: "ready-result", run: 1, ok: true, output: "ok", at: 12_300 })), [
    { type: "heartbeat", epoch: 1, status: "passing", output: "ok", timeoutMs: 10_000 },
    { type: "set-timer", timer: "tick", delayMs: 10_000 },
  ]);
  equal(h.state.readyFailing, false);
});

Deno.test("step() ignores a ready result that comes back for a mate that has since exited", () => {
  const h = new Harness({ ...CONFIG, dependencies: [], hasReadyCommand: true });
  h.send({ type: "start", at: 0 });
  h.send({ type: "mate-spawned", pid: 1, at: 0 });
  deepEqual(acts(h.send({ type: "timer", timer: "tick", at: 1000 })), [
    { type: "run-ready-check", run: 1 },
  ]);
  // the first mate exits while its check runs, and is started again after the backoff
  h.send({ type: "mate-exited", code: 1, signal: null, at: 1100 });
  deepEqual(acts(h.send({ type: "timer", timer: "restart", at: 2100 })), [{ type: "spawn" }]);
  h.send({ type: "mate-spawned", pid: 2, at: 2100 });
  deepEqual(acts(h.send({ type: "timer", timer: "tick", at: 3100 })), [
    { type: "run-ready-check", run: 2 },
  ]);
  // the first mate's check passes late: nothing of the second mate is registered on its word
  deepEqual(h.send({ type: "ready-result", run: 1, ok: true, output: "", at: 3200 }), []);
  equal(h.state.phase, "starting");
  equal(h.state.registration, "none");
  ok(h.state.readyCheckRunning, "the second mate's check still runs");
  deepEqual(acts(h.send({ type: "ready-result", run: 2, ok: true, output: "", at: 3300 })), [
    { type: "register", epoch: 1, status: "passing" },
    { type: "set-timer", timer: "tick", delayMs: 10_000 },
  ]);
});

Deno.test("step() stops the mate when a dependency fails: deregister, then SIGTERM, then grace", () => {
  const h = new Harness().running();
  h.accept();
  const commands = acts(h.send({ type: "dependency", name: "db", health: "unhealthy", at: 5 }));
  deepEqual(commands, [
    { type: "cancel-timer", timer: "tick" },
    { type: "deregister", epoch: 1 },
    { type: "set-timer", timer: "deregister-grace", delayMs: DEREGISTER_HEAD_START_MS },
  ]);
  equal(h.state.phase, "stopping");
  // Consul's answer lets SIGTERM go at once
  deepEqual(acts(h.send({ type: "deregistration-result", epoch: 1, ok: true, at: 8 })), [
    { type: "cancel-timer", timer: "deregister-grace" },
    { type: "signal-mate", signal: "SIGTERM" },
    { type: "set-timer", timer: "kill", delayMs: 5000 },
  ]);
  deepEqual(acts(h.send({ type: "timer", timer: "kill", at: 5005 })), [{ type: "kill-mate" }]);
  h.send({ type: "mate-exited", code: 137, signal: "SIGKILL", at: 5010 });
  equal(h.state.phase, "waiting");
  equal(h.state.mateRunning, false);
});

Deno.test("step() restarts when the dependency is back, after the backoff", () => {
  const h = new Harness().running(0);
  h.send({ type: "dependency", name: "db", health: "unhealthy", at: 100 });
  h.send({ type: "mate-exited", code: 143, signal: "SIGTERM", at: 200 });
  // back before the backoff (1 s after the exit): a restart timer, no spawn yet
  deepEqual(acts(h.healthy(500, "db")), [{ type: "set-timer", timer: "restart", delayMs: 700 }]);
  deepEqual(acts(h.send({ type: "timer", timer: "restart", at: 1200 })), [{ type: "spawn" }]);
  // back after the backoff: at once
  const late = new Harness().running(0);
  late.send({ type: "dependency", name: "db", health: "unhealthy", at: 100 });
  late.send({ type: "mate-exited", code: 143, signal: "SIGTERM", at: 200 });
  deepEqual(acts(late.healthy(5000, "db")), [{ type: "spawn" }]);
});

Deno.test("step() keeps the mate running when an OnlyAtStartup dependency fails", () => {
  const h = new Harness().running();
  const commands = h.send({ type: "dependency", name: "cache", health: "unhealthy", at: 5 });
  deepEqual(acts(commands), []);
  equal(h.state.phase, "ready");
  // but a restart still waits for it
  h.send({ type: "dependency", name: "db", health: "unhealthy", at: 6 });
  h.send({ type: "mate-exited", code: 0, signal: null, at: 7 });
  deepEqual(acts(h.healthy(5000, "db")), []);
  deepEqual(acts(h.healthy(5001, "cache")), [{ type: "spawn" }]);
});

Deno.test("step() treats Consul unreachable as unknown, never as a failure", () => {
  const h = new Harness().running();
  deepEqual(acts(h.send({ type: "dependency", name: "db", health: "unknown", at: 5 })), []);
  equal(h.state.phase, "ready");
  ok(h.state.mateRunning);
  // a waiting pilot keeps waiting
  const w = new Harness();
  w.send({ type: "start", at: 0 });
  w.healthy(1, "cache");
  w.send({ type: "dependency", name: "db", health: "unknown", at: 2 });
  equal(w.state.phase, "waiting");
  deepEqual(acts(w.healthy(3, "db")), [{ type: "spawn" }]);
});

Deno.test("step() exits with the mate's code with stop-at-mate-stop", () => {
  const h = new Harness({ ...CONFIG, stopAtMateStop: true }).running();
  deepEqual(acts(h.send({ type: "mate-exited", code: 42, signal: null, at: 9 })), [
    { type: "cancel-timer", timer: "kill" },
    { type: "cancel-timer", timer: "tick" },
    { type: "cancel-timer", timer: "deregister-grace" },
    { type: "deregister", epoch: 1 },
    { type: "exit", code: 42 },
  ]);
  equal(h.state.phase, "exited");
  deepEqual(h.send({ type: "timer", timer: "tick", at: 10 }), []);
});

Deno.test("step() exits with the mate's code in direct mode, 128+n for a signal", () => {
  const h = new Harness({ ...CONFIG, consul: false, dependencies: [] });
  h.send({ type: "start", at: 0 });
  const commands = h.send({ type: "mate-exited", code: 143, signal: "SIGTERM", at: 1 });
  deepEqual(acts(commands).at(-1), { type: "exit", code: 143 });
  ok(!has(commands, "deregister"));
});

Deno.test("step() restarts a crashing mate with growing delays, reset after 60 s up", () => {
  const h = new Harness({ ...CONFIG, dependencies: [] });
  h.send({ type: "start", at: 0 });
  const delays: number[] = [];
  let now = 0;
  for (let i = 0; i < 7; i++) {
    h.send({ type: "mate-spawned", pid: i, at: now });
    now += 100;
    const timer = acts(h.send({ type: "mate-exited", code: 1, signal: null, at: now }))
      .find((c) => c.type === "set-timer" && c.timer === "restart");
    ok(timer && timer.type === "set-timer");
    delays.push(timer.delayMs);
    now += timer.delayMs;
    deepEqual(acts(h.send({ type: "timer", timer: "restart", at: now })), [{ type: "spawn" }]);
  }
  deepEqual(delays, [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
  h.send({ type: "mate-spawned", pid: 99, at: now });
  const after = acts(h.send({ type: "mate-exited", code: 1, signal: null, at: now + 61_000 }));
  deepEqual(after.find((c) => c.type === "set-timer"), {
    type: "set-timer",
    timer: "restart",
    delayMs: 1000,
  });
});

Deno.test("step() on SIGTERM deregisters before signalling and exits with the mate's code", () => {
  const h = new Harness().running();
  h.accept();
  deepEqual(acts(h.send({ type: "signal", signal: "SIGTERM", at: 1 })), [
    { type: "cancel-timer", timer: "tick" },
    { type: "deregister", epoch: 1 },
    { type: "set-timer", timer: "deregister-grace", delayMs: DEREGISTER_HEAD_START_MS },
  ]);
  deepEqual(acts(h.send({ type: "deregistration-result", epoch: 1, ok: true, at: 2 })), [
    { type: "cancel-timer", timer: "deregister-grace" },
    { type: "signal-mate", signal: "SIGTERM" },
    { type: "set-timer", timer: "kill", delayMs: 5000 },
  ]);
  deepEqual(acts(h.send({ type: "dependency", name: "db", health: "healthy", at: 2 })), []);
  const exitCommands = acts(h.send({ type: "mate-exited", code: 143, signal: "SIGTERM", at: 3 }));
  deepEqual(exitCommands.at(-1), { type: "exit", code: 143 });
  ok(!has(exitCommands, "deregister"), "already deregistered");
});

Deno.test("step() on SIGINT with no mate running exits 0 at once", () => {
  const h = new Harness();
  h.send({ type: "start", at: 0 });
  deepEqual(acts(h.send({ type: "signal", signal: "SIGINT", at: 1 })), [{ type: "exit", code: 0 }]);
});

Deno.test("step() kills the mate on a second SIGTERM", () => {
  const h = new Harness().running();
  h.send({ type: "signal", signal: "SIGTERM", at: 1 });
  deepEqual(acts(h.send({ type: "signal", signal: "SIGTERM", at: 2 })), [
    { type: "cancel-timer", timer: "deregister-grace" },
    { type: "kill-mate" },
  ]);
});

Deno.test("step() exits after a dependency stop when SIGTERM arrives meanwhile", () => {
  const h = new Harness().running();
  h.send({ type: "dependency", name: "db", health: "unhealthy", at: 1 });
  h.send({ type: "signal", signal: "SIGTERM", at: 2 });
  deepEqual(acts(h.send({ type: "mate-exited", code: 0, signal: null, at: 3 })).at(-1), {
    type: "exit",
    code: 0,
  });
});

Deno.test("step() forwards SIGHUP, SIGUSR1, SIGUSR2, SIGQUIT and SIGWINCH to a running mate", () => {
  const h = new Harness().running();
  for (const signal of ["SIGHUP", "SIGUSR1", "SIGUSR2", "SIGQUIT", "SIGWINCH"]) {
    deepEqual(h.send({ type: "signal", signal, at: 1 }), [{ type: "signal-mate", signal }]);
  }
  const idle = new Harness();
  idle.send({ type: "start", at: 0 });
  deepEqual(idle.send({ type: "signal", signal: "SIGHUP", at: 1 }), []);
});

Deno.test("step() exits 127/126 when the command cannot be spawned", () => {
  const h = new Harness({ ...CONFIG, dependencies: [] });
  h.send({ type: "start", at: 0 });
  const commands = h.send({
    type: "mate-spawn-failed",
    exitCode: 127,
    reason: "command not found: nope",
    at: 1,
  });
  deepEqual(commands, [
    { type: "log", level: "error", message: "command not found: nope" },
    { type: "exit", code: 127 },
  ]);
});

Deno.test("step() registers again when Consul lost the registration (a heartbeat's 404)", () => {
  const h = new Harness().running();
  h.accept();
  h.send({ type: "timer", timer: "tick", at: 10_000 });
  const lost = { type: "registration-result", call: "heartbeat", epoch: 1, ok: false } as const;
  deepEqual(acts(h.send({ ...lost, status: 404, reason: "Unknown check", at: 10_001 })), [
    { type: "register", epoch: 2, status: "passing" },
  ]);
  equal(h.state.registration, "registering");
  const waiting = new Harness();
  deepEqual(acts(waiting.send({ ...lost, status: 404, at: 1 })), []);
});

Deno.test("step() logs one line per state change with the reason", () => {
  const h = new Harness().running();
  h.send({ type: "dependency", name: "db", health: "unhealthy", at: 1 });
  const messages = h.all.filter((c) => c.type === "log").map((c) => c.type === "log" && c.message);
  ok(messages.includes("starting the mate (dependencies healthy: db, cache)"));
  ok(messages.includes("stopping the mate: dependency db is no longer healthy"));
  // the same health twice is not a change
  deepEqual(h.send({ type: "dependency", name: "db", health: "unhealthy", at: 2 }), []);
});

Deno.test("step(): a registration accepted after SIGTERM does not make the pilot ready", () => {
  const h = new Harness().running();
  h.send({ type: "signal", signal: "SIGTERM", at: 1 });
  equal(h.state.registration, "none");
  const late = h.accept("register", 2);
  equal(h.state.registration, "none", "the late 2xx changed nothing");
  equal(h.state.phase, "stopping");
  deepEqual(acts(late), []);
  ok(!late.some((c) => c.type === "log" && /registered in Consul/.test(c.message)));
});

Deno.test("step(): SIGTERM, a second SIGTERM and the mate's exit while the deregistration waits", () => {
  const h = new Harness().running();
  h.accept();
  h.send({ type: "signal", signal: "SIGTERM", at: 1 });
  equal(h.state.termSent, false, "SIGTERM waits for the deregistration's head start");
  // a dependency change meanwhile is taken, and changes nothing
  deepEqual(acts(h.send({ type: "dependency", name: "db", health: "unhealthy", at: 2 })), []);
  // a second SIGTERM does not wait for Consul at all
  deepEqual(acts(h.send({ type: "signal", signal: "SIGTERM", at: 3 })), [
    { type: "cancel-timer", timer: "deregister-grace" },
    { type: "kill-mate" },
  ]);
  const exited = acts(h.send({ type: "mate-exited", code: 137, signal: "SIGKILL", at: 4 }));
  deepEqual(exited.at(-1), { type: "exit", code: 137 });
  ok(!has(exited, "deregister"), "asked once already");
  // Consul's answer, long after: nothing left to do
  deepEqual(h.send({ type: "deregistration-result", epoch: 1, ok: true, at: 900 }), []);
});

Deno.test("step(): a hung deregistration holds SIGTERM for the head start only", () => {
  const h = new Harness().running();
  h.accept();
  h.send({ type: "dependency", name: "db", health: "unhealthy", at: 0 });
  const timer = { type: "timer", timer: "deregister-grace" } as const;
  deepEqual(acts(h.send({ ...timer, at: DEREGISTER_HEAD_START_MS })), [
    { type: "cancel-timer", timer: "deregister-grace" },
    { type: "signal-mate", signal: "SIGTERM" },
    { type: "set-timer", timer: "kill", delayMs: 5000 },
  ]);
  // the deregistration fails at its deadline: SIGTERM is not sent twice
  deepEqual(acts(h.send({ type: "deregistration-result", epoch: 1, ok: false, at: 1000 })), []);
  // the mate exits before the head start ends: the grace timer is cancelled and does nothing
  const quick = new Harness().running();
  quick.accept();
  quick.send({ type: "dependency", name: "db", health: "unhealthy", at: 0 });
  ok(
    quick.send({ type: "mate-exited", code: 0, signal: null, at: 10 })
      .some((c) => c.type === "cancel-timer" && c.timer === "deregister-grace"),
  );
  deepEqual(acts(quick.send({ ...timer, at: 300 })), []);
});

Deno.test("step(): an answer about an older registration is ignored after a restart", () => {
  const h = new Harness().running(0);
  equal(h.state.registrationEpoch, 1); // the first registration hangs
  h.send({ type: "dependency", name: "db", health: "unhealthy", at: 100 });
  h.send({ type: "timer", timer: "deregister-grace", at: 400 });
  h.send({ type: "mate-exited", code: 143, signal: "SIGTERM", at: 500 });
  h.healthy(2000, "db");
  h.send({ type: "mate-spawned", pid: 101, at: 2000 });
  equal(h.state.registrationEpoch, 2);
  // the first registration's 2xx and the first deregistration's answer arrive now
  h.send({ type: "registration-result", call: "register", epoch: 1, ok: true, at: 2100 });
  equal(h.state.registration, "registering", "still waiting for the second one");
  h.send({ type: "deregistration-result", epoch: 1, ok: true, at: 2100 });
  equal(h.state.phase, "ready");
  h.accept("register", 2200);
  equal(h.state.registration, "accepted");
});

Deno.test("step(): a refused registration is reported once, and asked again every period", () => {
  const h = new Harness().running();
  const refused = {
    type: "registration-result",
    call: "register",
    ok: false,
    status: 403,
    reason: "Permission denied",
  } as const;
  const first = h.send({ ...refused, epoch: 1, at: 1 });
  equal(h.state.registration, "register-failed");
  equal(h.state.registrationProblem, "Consul refused the registration (403 Permission denied)");
  deepEqual(first, [{
    type: "log",
    level: "warning",
    message: "Consul refused the registration (403 Permission denied)",
  }]);
  deepEqual(acts(h.send({ type: "timer", timer: "tick", at: 10_000 })), [
    { type: "register", epoch: 2, status: "passing" },
    { type: "set-timer", timer: "tick", delayMs: 10_000 },
  ]);
  deepEqual(h.send({ ...refused, epoch: 2, at: 10_001 }), [], "the same problem is logged once");
  // the heartbeat that waited behind the refused registration fails too: nothing new
  const behind = { type: "registration-result", call: "heartbeat", epoch: 2, ok: false } as const;
  deepEqual(h.send({ ...behind, status: 404, reason: "Unknown check", at: 10_002 }), []);
  equal(h.state.registration, "register-failed");
  h.send({ type: "timer", timer: "tick", at: 20_000 });
  h.accept("register", 20_001);
  equal(h.state.registration, "accepted");
  equal(h.state.registrationProblem, undefined);
  // a registration that timed out is not "refused"
  const hung = new Harness().running();
  hung.send({
    type: "registration-result",
    call: "register",
    epoch: 1,
    ok: false,
    reason: "no answer within 3000 ms",
    at: 3000,
  });
  equal(
    hung.state.registrationProblem,
    "Consul did not take the registration (no answer within 3000 ms)",
  );
});

Deno.test("step(): a failed heartbeat withdraws 'accepted' until one succeeds", () => {
  const h = new Harness().running();
  h.accept();
  h.send({ type: "timer", timer: "tick", at: 10_000 });
  h.send({
    type: "registration-result",
    call: "heartbeat",
    epoch: 1,
    ok: false,
    reason: "no answer within 10000 ms",
    at: 20_000,
  });
  equal(h.state.registration, "heartbeat-failed");
  equal(
    h.state.registrationProblem,
    "Consul did not take the heartbeat (no answer within 10000 ms)",
  );
  // the next period sends a heartbeat (not a registration: the instance is there)
  ok(has(h.send({ type: "timer", timer: "tick", at: 20_000 }), "heartbeat"));
  h.accept("heartbeat", 20_010);
  equal(h.state.registration, "accepted");
});

Deno.test("step() logs why a dependency's health is unknown", () => {
  const h = new Harness().running();
  const unknown = { type: "dependency", name: "db", health: "unknown" } as const;
  deepEqual(h.send({ ...unknown, reason: "Consul filtered the answer (ACL)", at: 1 }), [{
    type: "log",
    level: "warning",
    message: "health of dependency db is unknown: Consul filtered the answer (ACL)",
  }]);
  const plain = new Harness().running();
  deepEqual(plain.send({ ...unknown, at: 1 }), [{
    type: "log",
    level: "warning",
    message: "health of dependency db is unknown: Consul cannot be reached",
  }]);
});

Deno.test("restartBackoff() doubles from 1 s to 30 s and resets after 60 s up", () => {
  deepEqual([0, 1, 2, 3, 4, 5, 6].map(restartDelayMs), [
    1000,
    2000,
    4000,
    8000,
    16_000,
    30_000,
    30_000,
  ]);
  deepEqual(restartBackoff(3, 100), { delayMs: 8000, shortRuns: 4 });
  deepEqual(restartBackoff(3, 60_000), { delayMs: 1000, shortRuns: 1 });
});

const REPORTING: CoreConfig = { ...CONFIG, waitReportMs: 30_000, instance: "api-1 at 10.0.0.5:80" };

Deno.test("step() says every 30 s which dependency is missing, why and for how long", () => {
  const h = new Harness(REPORTING);
  const start = h.send({ type: "start", at: 1_000 });
  ok(
    start.some((c) => c.type === "set-timer" && c.timer === "wait-report" && c.delayMs === 30_000),
  );
  h.send({ type: "dependency", name: "cache", health: "healthy", at: 2_000 });
  h.send({ type: "dependency", name: "db", health: "unhealthy", at: 16_000 });
  const first = h.send({ type: "timer", timer: "wait-report", at: 31_000 });
  deepEqual(lines(first), ["still waiting for db: no passing instance (15 s)"]);
  ok(first.some((c) => c.type === "set-timer" && c.timer === "wait-report"));
  h.send({
    type: "dependency",
    name: "db",
    health: "unknown",
    reason: "Consul unreachable (connection refused)",
    at: 40_000,
  });
  const second = h.send({ type: "timer", timer: "wait-report", at: 61_000 });
  deepEqual(lines(second), [
    "still waiting for db: Consul unreachable (connection refused) (21 s)",
  ]);
  h.healthy(62_000, "db");
  equal(h.state.phase, "starting");
  deepEqual(lines(h.send({ type: "timer", timer: "wait-report", at: 91_000 })), []);
});

Deno.test("step() reports a dependency Consul never answered for as such, since the start", () => {
  const h = new Harness(REPORTING);
  h.send({ type: "start", at: 0 });
  const report = h.send({ type: "timer", timer: "wait-report", at: 30_000 });
  deepEqual(lines(report), [
    "still waiting for db: no answer from Consul yet (30 s); cache: no answer from Consul yet (30 s)",
  ]);
});

Deno.test("step() gives up at the startup timeout with one line naming what was missing", () => {
  const h = new Harness({ ...REPORTING, startupTimeoutMs: 120_000 });
  const start = h.send({ type: "start", at: 0 });
  ok(
    start.some((c) =>
      c.type === "set-timer" && c.timer === "startup-timeout" && c.delayMs === 120_000
    ),
  );
  h.healthy(5_000, "cache");
  h.send({ type: "dependency", name: "db", health: "unhealthy", at: 5_000 });
  const out = h.send({ type: "timer", timer: "startup-timeout", at: 120_000 });
  deepEqual(lines(out), [
    "gave up after the startup timeout of 2 min: still missing db: no passing instance (1 min 55 s); " +
    "exiting with 69",
  ]);
  deepEqual(acts(out), [{ type: "exit", code: 69 }]);
  equal(h.state.phase, "exited");
});

Deno.test("step() forgets the startup timeout once the mate has started", () => {
  const h = new Harness({ ...REPORTING, startupTimeoutMs: 120_000 });
  h.send({ type: "start", at: 0 });
  const started = h.healthy(1_000, "db", "cache");
  ok(started.some((c) => c.type === "cancel-timer" && c.timer === "startup-timeout"));
  h.send({ type: "mate-spawned", pid: 7, at: 1_000 });
  equal(h.state.matePid, 7);
  equal(h.state.startCount, 1);
  // the timer fired anyway (a race with the cancel): it changes nothing
  h.send({ type: "dependency", name: "db", health: "unhealthy", at: 2_000 });
  h.send({ type: "mate-exited", code: 143, signal: "SIGTERM", at: 3_000 });
  deepEqual(h.state.lastExit, { code: 143, signal: "SIGTERM", at: 3_000 });
  const late = h.send({ type: "timer", timer: "startup-timeout", at: 120_000 });
  deepEqual(late, []);
  equal(h.state.phase, "waiting");
});

Deno.test("step() logs the registration with the instance and the check's status", () => {
  const h = new Harness(REPORTING);
  h.running(0);
  const accepted = h.accept("register", 10);
  deepEqual(lines(accepted), ["registered in Consul as api-1 at 10.0.0.5:80; check passing"]);
});

Deno.test("step() names a failing Consul call as the reason, timed from its first failure", () => {
  const h = new Harness(REPORTING);
  h.send({ type: "start", at: 0 });
  h.healthy(0, "cache");
  const problem = "Consul call GET /v1/health/service/db failed: cannot connect";
  deepEqual(h.send({ type: "dependency-problem", name: "db", problem, at: 5_000 }), []);
  h.send({ type: "dependency-problem", name: "db", problem, at: 20_000 });
  const report = h.send({ type: "timer", timer: "wait-report", at: 35_000 });
  deepEqual(lines(report), [`still waiting for db: ${problem} (30 s)`]);
  // a problem does not hide what Consul did answer
  h.send({ type: "dependency", name: "db", health: "unhealthy", at: 40_000 });
  h.send({ type: "dependency-problem", name: "db", problem, at: 41_000 });
  deepEqual(lines(h.send({ type: "timer", timer: "wait-report", at: 70_000 })), [
    "still waiting for db: no passing instance (30 s)",
  ]);
});
