/**
 * The core's decisions about the instance in Consul: registering, keeping the check alive, and
 * what Consul's answers mean. "Registered" is what Consul answered, never what was asked; an
 * answer about an older registration (the state moved on meanwhile) changes nothing.
 *
 * @module
 */

import { log } from "./log_command.ts";
import { onAnnounceResult } from "./announcement.ts";
import type { CoreConfig, SupervisorCommand, SupervisorEvent, SupervisorState } from "./types.ts";

/** The result of a decision: the new state and what to do. */
interface Decision {
  readonly state: SupervisorState;
  readonly commands: readonly SupervisorCommand[];
}

type RegistrationResult = Extract<SupervisorEvent, { type: "registration-result" }>;

/** Asks Consul to register the instance (again): a new epoch, no answer yet. */
export function register(state: SupervisorState, status: "passing" | "critical"): Decision {
  const epoch = state.registrationEpoch + 1;
  return {
    state: { ...state, registration: "registering", registrationEpoch: epoch },
    commands: [{ type: "register", epoch, status }],
  };
}

/**
 * The periodic call on a ready mate: a heartbeat, or the registration again when Consul did not
 * take the last one.
 */
export function keepAlive(
  state: SupervisorState,
  status: "passing" | "critical",
  output: string,
  periodMs: number,
): Decision {
  if (state.registration === "register-failed") return register(state, status);
  return {
    state,
    commands: [{
      type: "heartbeat",
      epoch: state.registrationEpoch,
      status,
      output,
      timeoutMs: periodMs,
    }],
  };
}

/** What Consul answered to a registration or a heartbeat. */
export function onRegistrationResult(
  config: CoreConfig,
  state: SupervisorState,
  event: RegistrationResult,
): Decision {
  if (
    (state.registration === "announcing" || state.registration === "announced") &&
    event.call === "register" && event.epoch === state.registrationEpoch
  ) {
    return onAnnounceResult(state, event);
  }
  if (
    state.registration === "none" || state.phase !== "ready" ||
    event.epoch !== state.registrationEpoch
  ) {
    return {
      state,
      commands: [
        log("debug", `ignoring Consul's late answer to a ${event.call}: the pilot moved on`),
      ],
    };
  }
  if (event.ok) return accepted(config, state, event.call);
  // A heartbeat sent behind a registration that failed fails too: the registration's problem
  // is the one to report, and it is asked again at the next period anyway.
  if (event.call === "heartbeat" && state.registration === "register-failed") {
    return { state, commands: [] };
  }
  if (event.call === "heartbeat" && event.status === 404) {
    const again = register(state, state.readyFailing ? "critical" : "passing");
    return {
      state: again.state,
      commands: [
        log("warning", "Consul lost the registration; registering again"),
        ...again.commands,
      ],
    };
  }
  const problem = describeFailure(event);
  const commands = problem === state.registrationProblem ? [] : [log("warning", problem)];
  return {
    state: {
      ...state,
      registration: event.call === "register" ? "register-failed" : "heartbeat-failed",
      registrationProblem: problem,
    },
    commands,
  };
}

function accepted(
  config: CoreConfig,
  state: SupervisorState,
  call: "register" | "heartbeat",
): Decision {
  const commands: SupervisorCommand[] = [];
  const check = state.readyFailing ? "critical: the ready command fails" : "passing";
  if (call === "register") {
    const as = config.instance ? ` as ${config.instance}` : "";
    commands.push(log("info", `registered in Consul${as}; check ${check}`));
  } else if (state.registration !== "accepted") {
    commands.push(log("info", `Consul accepts the heartbeat again; check ${check}`));
  }
  return {
    state: { ...state, registration: "accepted", registrationProblem: undefined },
    commands,
  };
}

/** One line for the log and the status: what Consul did with the call, never a header value. */
export function describeFailure(
  event: Pick<RegistrationResult, "call" | "status" | "reason">,
): string {
  const what = event.call === "register" ? "the registration" : "the heartbeat";
  const reason = event.reason ? ` ${event.reason}` : "";
  if (event.status !== undefined) return `Consul refused ${what} (${event.status}${reason})`;
  return `Consul did not take ${what} (${event.reason ?? "no answer"})`;
}
