import { deepEqual, equal, ok } from "node:assert/strict";
import { initialState, type Step, step } from "../../src/supervisor/core.ts";
import { restartBackoff, restartDelayMs } from "../../src/supervisor/backoff.ts";
import type {
  CoreConfig,
  SupervisorCommand,
  SupervisorEvent,
  SupervisorState,
} from "../../src/supervisor/types.ts";

const CONFIG: CoreConfig = {
  consul: true,
  dependencies: [{ name: "db", onlyAtStartup: false }, { name: "cache", onlyAtStartup: true }],
  hasReadyCommand: false,
  stopAtMateStop: false,
  startupCheckPeriodMs: 1000,
  checkPeriodMs: 10_000,
  stopTimeoutMs: 5000,
};

/** Feeds events in order; returns the last step and every command issued. */
class Harness {
  state: SupervisorState;
  all: SupervisorCommand[] = [];
  last: Step | undefined;
  constructor(readonly config: CoreConfig = CONFIG) {
    this.state = initialState(config);
  }
  send(event: SupervisorEvent): readonly SupervisorCommand[] {
    this.last = step(this.config, this.state, event);
    this.state = this.last.state;
    this.all.push(...this.last.commands);
    return this.last.commands;
  }
  healthy(at: number, ...names: string[]) {
    for (const name of names) this.send({ type: "dependency", name, health: "healthy", at });
    return this.last!.commands;
  }
  /** Starts and spawns the mate at `at`. */
  running(at = 0) {
    this.send({ type: "start", at });
    this.healthy(at, "db", "cache");
    this.send({ type: "mate-spawned", pid: 100, at });
    return this;
  }
}

/** Commands without log lines, to compare decisions. */
function acts(commands: readonly SupervisorCommand[]): SupervisorCommand[] {
  return commands.filter((c) => c.type !== "log");
}

function has(commands: readonly SupervisorCommand[], type: SupervisorCommand["type"]): boolean {
  return commands.some((c) => c.type === type);
}

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
  ok(h.state.registered);
  deepEqual(acts(h.last!.commands), [
    { type: "register" },
    { type: "set-timer", timer: "tick", delayMs: 10_000 },
  ]);
  deepEqual(acts(h.send({ type: "timer", timer: "tick", at: 10_000 })), [
    { type: "heartbeat", status: "passing", output: "mate running" },
    { type: "set-timer", timer: "tick", delayMs: 10_000 },
  ]);
});

Deno.test("step() gates registration with the ready command at the startup period", () => {
  const h = new Harness({ ...CONFIG, hasReadyCommand: true }).running();
  equal(h.state.phase, "starting");
  deepEqual(acts(h.last!.commands), [{ type: "set-timer", timer: "tick", delayMs: 1000 }]);
  deepEqual(acts(h.send({ type: "timer", timer: "tick", at: 1000 })), [{
    type: "run-ready-check",
  }]);
  // a second tick while the check runs does not start another one
  deepEqual(acts(h.send({ type: "timer", timer: "tick", at: 1500 })), []);
  deepEqual(acts(h.send({ type: "ready-result", ok: false, output: "not yet", at: 1600 })), [
    { type: "set-timer", timer: "tick", delayMs: 1000 },
  ]);
  equal(h.state.registered, false);
  h.send({ type: "timer", timer: "tick", at: 2600 });
  deepEqual(acts(h.send({ type: "ready-result", ok: true, output: "", at: 2700 })), [
    { type: "register" },
    { type: "set-timer", timer: "tick", delayMs: 10_000 },
  ]);
  equal(h.state.phase, "ready");
});

Deno.test("step() turns the check critical at once when the ready command fails on a ready mate", () => {
  const h = new Harness({ ...CONFIG, hasReadyCommand: true }).running();
  h.send({ type: "timer", timer: "tick", at: 1000 });
  h.send({ type: "ready-result", ok: true, output: "", at: 1100 });
  h.send({ type: "timer", timer: "tick", at: 11_100 });
  deepEqual(acts(h.send({ type: "ready-result", ok: false, output: "disk full", at: 11_200 })), [
    { type: "heartbeat", status: "critical", output: "disk full" },
    { type: "set-timer", timer: "tick", delayMs: 1000 },
  ]);
  ok(h.state.readyFailing);
  equal(h.state.phase, "ready");
  ok(!has(h.all, "signal-mate"), "a failing ready command never stops the mate");
  h.send({ type: "timer", timer: "tick", at: 12_200 });
  deepEqual(acts(h.send({ type: "ready-result", ok: true, output: "ok", at: 12_300 })), [
    { type: "heartbeat", status: "passing", output: "ok" },
    { type: "set-timer", timer: "tick", delayMs: 10_000 },
  ]);
  equal(h.state.readyFailing, false);
});

Deno.test("step() stops the mate when a dependency fails: deregister, then SIGTERM, then grace", () => {
  const h = new Harness().running();
  const commands = acts(h.send({ type: "dependency", name: "db", health: "unhealthy", at: 5 }));
  deepEqual(commands, [
    { type: "deregister" },
    { type: "cancel-timer", timer: "tick" },
    { type: "signal-mate", signal: "SIGTERM" },
    { type: "set-timer", timer: "kill", delayMs: 5000 },
  ]);
  equal(h.state.phase, "stopping");
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
    { type: "deregister" },
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
  deepEqual(acts(h.send({ type: "signal", signal: "SIGTERM", at: 1 })), [
    { type: "deregister" },
    { type: "cancel-timer", timer: "tick" },
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
  deepEqual(acts(h.send({ type: "signal", signal: "SIGTERM", at: 2 })), [{ type: "kill-mate" }]);
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

Deno.test("step() registers again when Consul lost the registration", () => {
  const h = new Harness().running();
  deepEqual(acts(h.send({ type: "registration-lost", at: 1 })), [{ type: "register" }]);
  const waiting = new Harness();
  deepEqual(acts(waiting.send({ type: "registration-lost", at: 1 })), []);
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
