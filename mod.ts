/**
 * amp-pilot as a library: run a whole pilot from a program of your own, or use its pieces — the
 * configuration loader, the Consul client and the pure supervisor core.
 *
 * ## Running a pilot
 *
 * {@linkcode runAmpPilot} does exactly what `amp-pilot run` does, and returns the exit code
 * instead of exiting:
 *
 * - reads the configuration from `env` (default: the process's environment), the conffile it
 *   names and, in a container with the Docker socket, Docker discovery; `args` replaces
 *   `AMPPILOT_LAUNCH_CMD`. A configuration error is written to `err` (one line per problem) and
 *   returns 2, as do missing Deno permissions;
 * - configures the pilot's logging for the whole process (replacing an earlier setup): its
 *   records go to stderr at `AMPPILOT_LOGLEVEL` in `AMPPILOT_LOGFORMAT`, and to Kafka with `KAFKA`;
 * - ships the mate's output to Kafka when `KAFKA` is set (else the mate writes to the process's
 *   stdout and stderr), resolves the registered IP from `AMPPILOT_NETINTERFACE`, reaps orphans when
 *   the process is PID 1, writes the status file `amp-pilot health` reads;
 * - handles SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 and SIGWINCH as the command does
 *   (listeners installed for the run and removed after it), unless `signals` is given.
 *
 * It needs the permissions of the command: `--allow-all`, or exactly `--allow-run --allow-env
 * --allow-net --allow-read --allow-write --allow-sys=networkInterfaces,hostname --allow-ffi`
 * (`--allow-ffi` only for the reaper). The mate inherits the process's environment, not `env`.
 *
 * The lower-level `runPilot()` of src/runtime is not exported: its options take a Kafka shipper
 * and a zombie reaper that only {@linkcode runAmpPilot} can build.
 *
 * @example Run a mate in direct mode (no Consul address) and get its exit code
 * ```ts
 * import { runAmpPilot } from "./mod.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const code = await runAmpPilot({
 *   env: { AMPPILOT_STANDALONE: "true", AMPPILOT_STATUSFILE: `${dir}/status.json` },
 *   args: ["sh", "-c", "exit 3"],
 * });
 * await Deno.remove(dir, { recursive: true });
 * if (code !== 3) throw new Error(`expected the mate's exit code 3, got ${code}`);
 * ```
 *
 * @example Load and validate the configuration of this process
 * ```ts
 * import { ConfigError, loadConfig } from "./mod.ts";
 *
 * try {
 *   const env = { AMPPILOT_LAUNCH_CMD: "app --port 80" };
 *   const { config, warnings } = await loadConfig({ env });
 *   if (config.cmd?.[1] !== "--port" || warnings.length !== 0) throw new Error("unexpected");
 * } catch (e) {
 *   if (e instanceof ConfigError) throw new Error(e.problems.join("\n"));
 *   throw e;
 * }
 * ```
 *
 * @module
 */

export { runAmpPilot } from "./src/cli/run_amp_pilot.ts";
export type { AmpPilotOptions } from "./src/cli/run_amp_pilot.ts";
export type { SignalSource } from "./src/runtime/run_pilot.ts";
export { loadConfig } from "./src/config/load.ts";
export type { LoadedConfig, LoadOptions, Provenance } from "./src/config/load.ts";
export { CONFIG_ERROR_EXIT_CODE, ConfigError } from "./src/config/errors.ts";
export type {
  ConsulAddress,
  ConsulTls,
  Dependency,
  KafkaSaslMechanism,
  KafkaSecurity,
  KafkaTarget,
  PilotConfig,
  PilotLogFormat,
  PilotLogLevel,
  ValueSource,
} from "./src/config/types.ts";
export type { Environment } from "./src/config/env.ts";
export type { SettingKey } from "./src/config/settings.ts";
export type { TextFileReader } from "./src/config/read_file.ts";
export { splitShellWords } from "./src/config/shell_words.ts";
export { ConsulClient, serviceCheckId } from "./src/consul/client.ts";
export type {
  AclResource,
  CallOptions,
  CheckStatus,
  ConsulClientOptions,
  HealthEntry,
  HealthQuery,
  HealthResult,
  ServiceRegistration,
  TtlCheck,
} from "./src/consul/client.ts";
export { ConsulError } from "./src/consul/errors.ts";
export type { ConsulFailure } from "./src/consul/errors.ts";
export { nextBlockingIndex } from "./src/consul/blocking_index.ts";
export { pilotLogger } from "./src/log/logger.ts";
export type { PilotLogger } from "./src/log/logger.ts";
export { VERSION } from "./src/version.ts";
export { initialState, step } from "./src/supervisor/core.ts";
export type { Step } from "./src/supervisor/core.ts";
export type {
  CoreConfig,
  DependencyHealth,
  DependencyNote,
  MateExit,
  Phase,
  RegistrationStatus,
  StopIntent,
  SupervisorCommand,
  SupervisorEvent,
  SupervisorState,
  TimerName,
} from "./src/supervisor/types.ts";
export { judgeStatus, parseStatus } from "./src/runtime/status_file.ts";
export type {
  DependencyStatus,
  MateStatus,
  PilotStatus,
  RegistrationInfo,
  UnreadableStatus,
} from "./src/runtime/status_file.ts";
