/**
 * States, events and commands of the supervisor core (SPEC §3, §4). The core is a pure function
 * of a state and an event; adapters turn the world into events and carry out the commands.
 *
 * @module
 */

/** What the supervisor is doing. */
export type Phase =
  | "waiting" // for dependencies (or for the restart backoff)
  | "starting" // mate spawned, not yet ready
  | "ready" // registered and heart-beating
  | "stopping" // mate signalled, waiting for it to exit
  | "exited"; // the pilot is done

/** Health of one dependency as last seen in Consul. */
export type DependencyHealth = "healthy" | "unhealthy" | "unknown";

/**
 * The instance in Consul, as far as Consul's answers show: `none` (not asked, or deregistered),
 * `announcing` (asked Consul to list it as waiting; no answer yet, or refused), `announced` (Consul
 * listed it as waiting, its check critical, so that other pilots see what it waits for),
 * `registering` (asked, no answer yet), `accepted` (Consul said 2xx to the registration and to the
 * last heartbeat), `register-failed` (the registration was refused or not answered; it is asked
 * again at the next period), `heartbeat-failed` (the last heartbeat was refused or not answered).
 */
export type RegistrationStatus =
  | "none"
  | "announcing"
  | "announced"
  | "registering"
  | "accepted"
  | "register-failed"
  | "heartbeat-failed";

/** Why the mate is being stopped. */
export type StopIntent =
  | { readonly kind: "dependency"; readonly dependency: string }
  | { readonly kind: "shutdown"; readonly signal: string };

/** The part of the configuration the core decides with. All durations in ms. */
export interface CoreConfig {
  /** False in direct mode: no Consul, no dependencies, exit with the mate. */
  readonly consul: boolean;
  /** Dependency names and whether each is needed only at startup. */
  readonly dependencies: readonly { readonly name: string; readonly onlyAtStartup: boolean }[];
  /** A ready command gates registration. */
  readonly hasReadyCommand: boolean;
  /** Exit when the mate stops by itself. */
  readonly stopAtMateStop: boolean;
  /** Period while starting, or while the ready command fails. */
  readonly startupCheckPeriodMs: number;
  /** Period once ready. */
  readonly checkPeriodMs: number;
  /** Grace between SIGTERM and SIGKILL. */
  readonly stopTimeoutMs: number;
  /**
   * Give up (exit) when the dependencies are still missing this long after the start; off when
   * unset.
   */
  readonly startupTimeoutMs?: number;
  /** Period of the "still waiting for…" line while dependencies are missing; none when unset. */
  readonly waitReportMs?: number;
  /**
   * While dependencies are missing this long, the instance is listed in Consul as waiting and the
   * published dependencies are searched for a cycle through it, again every `cycleProbeMs`;
   * neither happens when unset.
   */
  readonly announceAfterMs?: number;
  /** Period of the search for a dependency cycle while waiting (ms). */
  readonly cycleProbeMs?: number;
  /** The instance as registered, for the log: `api-1a2b3c4d at 10.0.0.5:8080`. */
  readonly instance?: string;
}

/** What the pilot knows about one dependency, besides its health. */
export interface DependencyNote {
  /** Since when (runtime clock, ms) the health is what it is. */
  readonly since: number;
  /** Why, in words: "no passing instance", or why the health is unknown. */
  readonly reason: string;
  /** The reason is a failing Consul call (`since`: when the calls began to fail). */
  readonly problem?: boolean;
}

/** How the last mate ended. */
export interface MateExit {
  /** Its exit code (or 128+n for a signal). */
  readonly code: number;
  /** The signal that ended it, if one did. */
  readonly signal: string | null;
  /** When (runtime clock, ms). */
  readonly at: number;
}

/** The supervisor's state. */
export interface SupervisorState {
  /** Current phase. */
  readonly phase: Phase;
  /** Last known health of each dependency. */
  readonly dependencies: Readonly<Record<string, DependencyHealth>>;
  /** A mate process exists (spawned and not yet exited). */
  readonly mateRunning: boolean;
  /** When the running mate was spawned. */
  readonly mateStartedAt: number | undefined;
  /** The instance in Consul, from Consul's answers; anything but `none` is deregistered on stop. */
  readonly registration: RegistrationStatus;
  /** Counts the registrations asked; an answer about an older one is stale and ignored. */
  readonly registrationEpoch: number;
  /** Why Consul does not hold a passing instance, when a call failed. */
  readonly registrationProblem: string | undefined;
  /** While stopping: SIGTERM has been sent (it waits for the deregistration's short head start). */
  readonly termSent: boolean;
  /** The ready command fails on a ready mate: the check is critical and the period is fast. */
  readonly readyFailing: boolean;
  /** A ready command run is under way. */
  readonly readyCheckRunning: boolean;
  /** Consecutive restarts after short runs; drives the backoff. */
  readonly restartAttempt: number;
  /** Earliest time of the next spawn. */
  readonly restartAt: number;
  /** Why the mate is being stopped, while it is. */
  readonly stopIntent: StopIntent | undefined;
  /** A signal asked the pilot to exit while no mate ran, or while stopping. */
  readonly shutdownRequested: boolean;
  /** When the pilot started (runtime clock, ms). */
  readonly startedAt: number;
  /** Since when and why each dependency has its health. */
  readonly dependencyNotes: Readonly<Record<string, DependencyNote>>;
  /** The running mate's pid. */
  readonly matePid: number | undefined;
  /** How many times the mate was started. */
  readonly startCount: number;
  /** How the last mate ended. */
  readonly lastExit: MateExit | undefined;
  /** The dependency cycle this pilot waits on (`web → api → web`), as last found in Consul. */
  readonly dependencyCycle: readonly string[] | undefined;
}

/** Something that happened. `at` is the time in ms from the runtime's clock. */
export type SupervisorEvent =
  | { readonly type: "start"; readonly at: number }
  | {
    readonly type: "dependency";
    readonly name: string;
    readonly health: DependencyHealth;
    /** Why the health is what it is, when the watcher knows (e.g. an ACL filtered the answer). */
    readonly reason?: string;
    readonly at: number;
  }
  | {
    /** A call watching a dependency failed (`problem`), or answers again (`undefined`). */
    readonly type: "dependency-problem";
    readonly name: string;
    readonly problem: string | undefined;
    readonly at: number;
  }
  | { readonly type: "mate-spawned"; readonly pid: number; readonly at: number }
  | {
    readonly type: "mate-spawn-failed";
    readonly exitCode: 126 | 127;
    readonly reason: string;
    readonly at: number;
  }
  | {
    readonly type: "mate-exited";
    readonly code: number;
    readonly signal: string | null;
    readonly at: number;
  }
  | {
    readonly type: "ready-result";
    /** The mate's run the check was for (its `startCount`): a result for an older run is ignored. */
    readonly run: number;
    readonly ok: boolean;
    readonly output: string;
    readonly at: number;
  }
  | { readonly type: "signal"; readonly signal: string; readonly at: number }
  | { readonly type: "timer"; readonly timer: TimerName; readonly at: number }
  | {
    readonly type: "registration-result";
    /** Which call Consul answered. */
    readonly call: "register" | "heartbeat";
    /** The registration the call was about (see `SupervisorState.registrationEpoch`). */
    readonly epoch: number;
    /** Consul answered 2xx. */
    readonly ok: boolean;
    /** Consul's HTTP status, when it answered with an error. */
    readonly status?: number;
    /** Why it failed: Consul's message, or the transport error or timeout. */
    readonly reason?: string;
    readonly at: number;
  }
  | {
    readonly type: "deregistration-result";
    readonly epoch: number;
    readonly ok: boolean;
    readonly at: number;
  }
  | {
    /** The search for a dependency cycle answered: the cycle as a path, or none. */
    readonly type: "cycle-probed";
    readonly cycle: readonly string[] | undefined;
    readonly at: number;
  };

/** The timers the core sets. */
export type TimerName =
  | "restart"
  | "tick"
  | "kill"
  | "deregister-grace"
  | "wait-report"
  | "announce"
  | "startup-timeout";

/** Something to do. */
export type SupervisorCommand =
  | { readonly type: "spawn" }
  | { readonly type: "signal-mate"; readonly signal: string }
  | { readonly type: "kill-mate" }
  | { readonly type: "set-timer"; readonly timer: TimerName; readonly delayMs: number }
  | { readonly type: "cancel-timer"; readonly timer: TimerName }
  | {
    readonly type: "register";
    readonly epoch: number;
    /** The check's initial status. */
    readonly status: "passing" | "critical";
    /** The waiting listing (marked as waiting in its Meta, a TTL of its own) instead. */
    readonly waiting?: boolean;
  }
  | {
    readonly type: "heartbeat";
    readonly epoch: number;
    readonly status: "passing" | "critical";
    readonly output: string;
    /** The call's deadline: the current period (ms). */
    readonly timeoutMs: number;
  }
  | { readonly type: "deregister"; readonly epoch: number }
  | {
    readonly type: "run-ready-check";
    /** The mate's run it checks (its `startCount`), handed back with the result. */
    readonly run: number;
  }
  | {
    /** Search Consul for a dependency cycle through this service, starting at `missing`. */
    readonly type: "probe-cycle";
    readonly missing: readonly string[];
  }
  | { readonly type: "exit"; readonly code: number }
  | {
    readonly type: "log";
    readonly level: "debug" | "info" | "warning" | "error";
    readonly message: string;
  };
