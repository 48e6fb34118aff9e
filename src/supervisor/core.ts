/**
 * The supervisor's decisions: `step(config, state, event) → { state, commands }`, pure.
 *
 * @module
 */

import { restartBackoff } from "./backoff.ts";
import { exitCodeOfSignal, FORWARDED_SIGNALS, STOP_SIGNALS } from "./signals.ts";
import { log } from "./log_command.ts";
import { keepAlive, onRegistrationResult, register } from "./registration_steps.ts";
import { announceTimer, onAnnounceTimer, onCycleProbed } from "./announcement.ts";
import {
  healthReason,
  missingDependencies,
  noteProblem,
  startTimers,
  STARTUP_TIMEOUT_EXIT_CODE,
  startupGiveUp,
  waitReport,
} from "./waiting.ts";
import type {
  CoreConfig,
  DependencyHealth,
  SupervisorCommand,
  SupervisorEvent,
  SupervisorState,
  TimerName,
} from "./types.ts";

/**
 * How long SIGTERM waits for Consul's answer to the deregistration (ms): long enough for a
 * healthy agent, short enough that a hung one never delays a stop noticeably.
 */
export const DEREGISTER_HEAD_START_MS = 300;

/** The result of one step. */
export interface Step {
  /** The new state. */
  readonly state: SupervisorState;
  /** What to do, in order. */
  readonly commands: readonly SupervisorCommand[];
}

/** The state before the `start` event: every dependency unknown, no mate. */
export function initialState(config: CoreConfig): SupervisorState {
  return {
    phase: "waiting",
    dependencies: Object.fromEntries(config.dependencies.map((d) => [d.name, "unknown"])),
    mateRunning: false,
    mateStartedAt: undefined,
    registration: "none",
    registrationEpoch: 0,
    registrationProblem: undefined,
    termSent: false,
    readyFailing: false,
    readyCheckRunning: false,
    restartAttempt: 0,
    restartAt: 0,
    stopIntent: undefined,
    shutdownRequested: false,
    startedAt: 0,
    dependencyNotes: {},
    matePid: undefined,
    startCount: 0,
    lastExit: undefined,
    dependencyCycle: undefined,
  };
}

/**
 * Decides what to do about one event.
 *
 * @param config What the decisions depend on.
 * @param state The current state.
 * @param event What happened.
 */
export function step(config: CoreConfig, state: SupervisorState, event: SupervisorEvent): Step {
  if (state.phase === "exited") return { state, commands: [] };
  switch (event.type) {
    case "start":
      return onStart(config, state, event.at);
    case "dependency":
      return onDependency(config, state, event, event.at);
    case "dependency-problem":
      return { state: noteProblem(state, event.name, event.problem, event.at), commands: [] };
    case "mate-spawned":
      return onSpawned(config, { ...state, matePid: event.pid }, event.pid);
    case "mate-spawn-failed":
      return exit(state, event.exitCode, [log("error", event.reason)]);
    case "mate-exited":
      return onExited(config, state, event.code, event.signal, event.at);
    case "ready-result":
      // A check of a mate that has since exited says nothing of the one running now.
      if (event.run !== state.startCount) return { state, commands: [] };
      return onReadyResult(config, state, event.ok, event.output);
    case "signal":
      return onSignal(config, state, event.signal);
    case "timer":
      return onTimer(config, state, event.timer, event.at);
    case "registration-result":
      return onRegistrationResult(config, state, event);
    case "deregistration-result":
      return onDeregistrationResult(config, state, event.epoch);
    case "cycle-probed":
      return onCycleProbed(state, event.cycle);
  }
}

/** The pilot starts: every dependency is unknown until Consul answers. */
function onStart(config: CoreConfig, state: SupervisorState, now: number): Step {
  const notes = Object.fromEntries(
    Object.keys(state.dependencies).map((name) => [
      name,
      { since: now, reason: "no answer from Consul yet" },
    ]),
  );
  const started: SupervisorState = { ...state, startedAt: now, dependencyNotes: notes };
  return maybeStart(config, started, now, [...startTimers(config), ...announceTimer(config)]);
}

/** A deregistration answered: the mate may be signalled now, if it waited for that. */
function onDeregistrationResult(config: CoreConfig, state: SupervisorState, epoch: number): Step {
  if (state.phase !== "stopping" || state.termSent || epoch !== state.registrationEpoch) {
    return { state, commands: [] };
  }
  return sendTerm(config, state, []);
}

function exit(state: SupervisorState, code: number, before: SupervisorCommand[]): Step {
  const commands = [...before, ...deregistration(state), { type: "exit", code } as const];
  return { state: { ...unregistered(state), phase: "exited" }, commands };
}

/** The deregistration to send when the instance may be in Consul (asked, answered or not). */
function deregistration(state: SupervisorState): SupervisorCommand[] {
  return state.registration === "none" ? [] : [{
    type: "deregister",
    epoch: state.registrationEpoch,
  }];
}

function unregistered(state: SupervisorState): SupervisorState {
  return { ...state, registration: "none", registrationProblem: undefined };
}

function allHealthy(state: SupervisorState): boolean {
  return Object.values(state.dependencies).every((h) => h === "healthy");
}

/** Starts the mate when every dependency is healthy and the backoff allows it. */
function maybeStart(
  config: CoreConfig,
  state: SupervisorState,
  now: number,
  before: SupervisorCommand[],
): Step {
  if (state.phase !== "waiting" || state.mateRunning || state.shutdownRequested) {
    return { state, commands: before };
  }
  if (!allHealthy(state)) return { state, commands: before };
  if (now < state.restartAt) {
    return {
      state,
      commands: [...before, {
        type: "set-timer",
        timer: "restart",
        delayMs: state.restartAt - now,
      }],
    };
  }
  const reason = config.dependencies.length === 0
    ? "no dependencies"
    : `dependencies healthy: ${config.dependencies.map((d) => d.name).join(", ")}`;
  const first: SupervisorCommand[] = state.startCount === 0 && config.startupTimeoutMs !== undefined
    ? [{ type: "cancel-timer", timer: "startup-timeout" }]
    : [];
  return {
    state: {
      ...state,
      phase: "starting",
      mateRunning: true,
      mateStartedAt: now,
      startCount: state.startCount + 1,
      dependencyCycle: undefined,
    },
    commands: [
      ...before,
      ...first,
      log("info", `starting the mate (${reason})`),
      { type: "spawn" },
    ],
  };
}

function onSpawned(config: CoreConfig, state: SupervisorState, pid: number): Step {
  const commands: SupervisorCommand[] = [log("debug", `mate spawned with pid ${pid}`)];
  if (!config.consul || state.phase !== "starting") return { state, commands };
  if (config.hasReadyCommand) {
    commands.push({ type: "set-timer", timer: "tick", delayMs: config.startupCheckPeriodMs });
    return { state, commands };
  }
  return becomeReady(config, state, commands, "started (no ready command)");
}

function becomeReady(
  config: CoreConfig,
  state: SupervisorState,
  before: SupervisorCommand[],
  reason: string,
): Step {
  const ready: SupervisorState = { ...state, phase: "ready", readyFailing: false };
  const registering = register(ready, "passing");
  // Consul keeps the status of a check registered again: the waiting instance's critical check
  // would stay critical until the first heartbeat, a whole period later.
  const pass = state.registration === "announced" || state.registration === "announcing"
    ? keepAlive(registering.state, "passing", "mate ready", config.checkPeriodMs).commands
    : [];
  return {
    state: registering.state,
    commands: [
      ...before,
      log("info", `mate ready: ${reason}; registering in Consul`),
      ...registering.commands,
      ...pass,
      { type: "set-timer", timer: "tick", delayMs: config.checkPeriodMs },
    ],
  };
}

function onDependency(
  config: CoreConfig,
  state: SupervisorState,
  event: { readonly name: string; readonly health: DependencyHealth; readonly reason?: string },
  now: number,
): Step {
  const { name, health } = event;
  const previous = state.dependencies[name];
  if (previous === undefined || previous === health) return { state, commands: [] };
  const note = { since: now, reason: event.reason ?? healthReason(health) };
  const next = {
    ...state,
    dependencies: { ...state.dependencies, [name]: health },
    dependencyNotes: { ...state.dependencyNotes, [name]: note },
  };
  const commands: SupervisorCommand[] = [];
  if (health === "unknown") {
    const why = event.reason ?? "Consul cannot be reached";
    commands.push(log("warning", `health of dependency ${name} is unknown: ${why}`));
    return { state: next, commands };
  }
  commands.push(log("info", `dependency ${name} is ${health}`));
  if (health === "healthy") return maybeStart(config, next, now, commands);
  const onlyAtStartup = config.dependencies.find((d) => d.name === name)?.onlyAtStartup ?? false;
  const running = state.phase === "starting" || state.phase === "ready";
  if (!running) return { state: next, commands };
  if (onlyAtStartup) {
    commands.push(
      log("info", `dependency ${name} is only needed at startup; the mate keeps running`),
    );
    return { state: next, commands };
  }
  return stopMate(config, next, { kind: "dependency", dependency: name }, commands);
}

function stopMate(
  config: CoreConfig,
  state: SupervisorState,
  intent: NonNullable<SupervisorState["stopIntent"]>,
  before: SupervisorCommand[],
): Step {
  const reason = intent.kind === "dependency"
    ? `dependency ${intent.dependency} is no longer healthy`
    : `received ${intent.signal}`;
  const commands: SupervisorCommand[] = [
    ...before,
    log("info", `stopping the mate: ${reason}`),
    { type: "cancel-timer", timer: "tick" },
  ];
  const stopping: SupervisorState = { ...state, phase: "stopping", stopIntent: intent };
  if (state.registration === "none") return sendTerm(config, stopping, commands);
  // Traffic should stop before the mate does: SIGTERM waits for Consul's answer to the
  // deregistration, but never longer than the head start.
  return {
    state: { ...unregistered(stopping), termSent: false },
    commands: [...commands, ...deregistration(state), {
      type: "set-timer",
      timer: "deregister-grace",
      delayMs: DEREGISTER_HEAD_START_MS,
    }],
  };
}

/** Sends SIGTERM to the mate and starts the grace before SIGKILL. */
function sendTerm(config: CoreConfig, state: SupervisorState, before: SupervisorCommand[]): Step {
  return {
    state: { ...state, termSent: true },
    commands: [
      ...before,
      { type: "cancel-timer", timer: "deregister-grace" },
      { type: "signal-mate", signal: "SIGTERM" },
      { type: "set-timer", timer: "kill", delayMs: config.stopTimeoutMs },
    ],
  };
}

function onExited(
  config: CoreConfig,
  state: SupervisorState,
  code: number,
  signal: string | null,
  now: number,
): Step {
  const exitCode = signal ? exitCodeOfSignal(signal, code) : code;
  const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
  const ran = now - (state.mateStartedAt ?? now);
  const stopped: SupervisorState = {
    ...state,
    mateRunning: false,
    mateStartedAt: undefined,
    matePid: undefined,
    lastExit: { code, signal, at: now },
    readyCheckRunning: false,
    readyFailing: false,
    termSent: false,
  };
  const commands: SupervisorCommand[] = [
    { type: "cancel-timer", timer: "kill" },
    { type: "cancel-timer", timer: "tick" },
    { type: "cancel-timer", timer: "deregister-grace" },
  ];
  if (state.stopIntent?.kind === "shutdown" || state.shutdownRequested) {
    return exit(stopped, exitCode, [
      ...commands,
      log("info", `mate ${how}; exiting with ${exitCode}`),
    ]);
  }
  if (state.stopIntent === undefined && (config.stopAtMateStop || !config.consul)) {
    return exit(stopped, exitCode, [...commands, log("info", `mate ${how} on its own; exiting`)]);
  }
  const backoff = restartBackoff(state.restartAttempt, ran);
  commands.push(...deregistration(state));
  const missing = missingDependencies(stopped);
  commands.push(
    log(
      "info",
      `mate ${how}${state.stopIntent ? "" : " on its own"}; waiting for ` +
        (missing.length > 0
          ? `dependencies ${missing.join(", ")}`
          : `the restart backoff (${backoff.delayMs} ms)`),
    ),
  );
  const waiting: SupervisorState = {
    ...unregistered(stopped),
    phase: "waiting",
    stopIntent: undefined,
    restartAttempt: backoff.shortRuns,
    restartAt: now + backoff.delayMs,
  };
  return maybeStart(config, waiting, now, [...commands, ...announceTimer(config)]);
}

function onReadyResult(
  config: CoreConfig,
  state: SupervisorState,
  ok: boolean,
  output: string,
): Step {
  const idle = { ...state, readyCheckRunning: false };
  if (state.phase === "starting") {
    if (ok) return becomeReady(config, idle, [], "the ready command succeeded");
    return {
      state: idle,
      commands: [
        log("debug", `ready command failed: ${oneLine(output)}`),
        { type: "set-timer", timer: "tick", delayMs: config.startupCheckPeriodMs },
      ],
    };
  }
  if (state.phase !== "ready") return { state: idle, commands: [] };
  const commands: SupervisorCommand[] = [];
  if (ok && state.readyFailing) {
    commands.push(log("info", "ready command passes again; check passing"));
  }
  if (!ok && !state.readyFailing) {
    commands.push(log("warning", `ready command failed; check critical: ${oneLine(output)}`));
  }
  const periodMs = ok ? config.checkPeriodMs : config.startupCheckPeriodMs;
  const kept = keepAlive(
    { ...idle, readyFailing: !ok },
    ok ? "passing" : "critical",
    output,
    periodMs,
  );
  return {
    state: kept.state,
    commands: [...commands, ...kept.commands, {
      type: "set-timer",
      timer: "tick",
      delayMs: periodMs,
    }],
  };
}

function onSignal(config: CoreConfig, state: SupervisorState, signal: string): Step {
  if (STOP_SIGNALS.includes(signal)) {
    if (!state.mateRunning) {
      return exit({ ...state, shutdownRequested: true }, 0, [
        log("info", `received ${signal} with no mate running; exiting`),
      ]);
    }
    if (state.stopIntent?.kind === "shutdown") {
      return {
        state: { ...state, termSent: true },
        commands: [
          log("warning", `received ${signal} again; killing the mate`),
          { type: "cancel-timer", timer: "deregister-grace" },
          { type: "kill-mate" },
        ],
      };
    }
    if (state.phase === "stopping") {
      // Already stopping for a dependency: the mate is exiting; exit with it.
      return {
        state: { ...state, stopIntent: { kind: "shutdown", signal }, shutdownRequested: true },
        commands: [log("info", `received ${signal}; exiting once the mate has stopped`)],
      };
    }
    return stopMate(
      config,
      { ...state, shutdownRequested: true },
      { kind: "shutdown", signal },
      [],
    );
  }
  if (FORWARDED_SIGNALS.includes(signal) && state.mateRunning) {
    return { state, commands: [{ type: "signal-mate", signal }] };
  }
  return { state, commands: [] };
}

function onTimer(config: CoreConfig, state: SupervisorState, timer: TimerName, now: number): Step {
  switch (timer) {
    case "deregister-grace":
      return state.phase === "stopping" && !state.termSent
        ? sendTerm(config, state, [
          log(
            "warning",
            `Consul has not answered the deregistration within ${DEREGISTER_HEAD_START_MS} ms; ` +
              "signalling the mate anyway",
          ),
        ])
        : { state, commands: [] };
    case "restart":
      return maybeStart(config, state, now, []);
    case "kill":
      return state.mateRunning
        ? {
          state,
          commands: [
            log(
              "warning",
              `the mate did not stop within ${config.stopTimeoutMs} ms; sending SIGKILL`,
            ),
            { type: "kill-mate" },
          ],
        }
        : { state, commands: [] };
    case "tick":
      return onTick(config, state);
    case "wait-report":
      return { state, commands: waitReport(config, state, now) };
    case "announce":
      return onAnnounceTimer(config, state);
    case "startup-timeout": {
      const line = startupGiveUp(config, state, now);
      return line === undefined
        ? { state, commands: [] }
        : exit(state, STARTUP_TIMEOUT_EXIT_CODE, [log("error", line)]);
    }
  }
}

function onTick(config: CoreConfig, state: SupervisorState): Step {
  if (state.phase !== "starting" && state.phase !== "ready") return { state, commands: [] };
  if (config.hasReadyCommand) {
    if (state.readyCheckRunning) return { state, commands: [] };
    return {
      state: { ...state, readyCheckRunning: true },
      commands: [{ type: "run-ready-check", run: state.startCount }],
    };
  }
  const kept = keepAlive(state, "passing", "mate running", config.checkPeriodMs);
  return {
    state: kept.state,
    commands: [...kept.commands, {
      type: "set-timer",
      timer: "tick",
      delayMs: config.checkPeriodMs,
    }],
  };
}

function oneLine(text: string): string {
  const line = text.trim().split("\n").filter((l) => l.trim() !== "").at(-1) ?? "(no output)";
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
