/**
 * amp-pilot as a library: load and validate a configuration, talk to Consul, decide with the
 * pure supervisor core, or run a whole pilot.
 *
 * @example Load the configuration of this process
 * ```ts
 * import { loadConfig } from "./mod.ts";
 * const { config } = await loadConfig({ env: Deno.env.toObject() });
 * ```
 *
 * @module
 */

export { loadConfig } from "./src/config/load.ts";
export type { LoadedConfig, LoadOptions, Provenance } from "./src/config/load.ts";
export { CONFIG_ERROR_EXIT_CODE, ConfigError } from "./src/config/errors.ts";
export type {
  ConsulAddress,
  Dependency,
  KafkaTarget,
  PilotConfig,
  PilotLogFormat,
  PilotLogLevel,
  ValueSource,
} from "./src/config/types.ts";
export { splitShellWords } from "./src/config/shell_words.ts";
export { ConsulClient, serviceCheckId } from "./src/consul/client.ts";
export type {
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
export { pilotLogger, setupLogging } from "./src/log/logger.ts";
export type { LoggingOptions } from "./src/log/logger.ts";
export { VERSION } from "./src/version.ts";
export { runPilot } from "./src/runtime/run_pilot.ts";
export type { RunOptions, SignalSource } from "./src/runtime/run_pilot.ts";
export { initialState, step } from "./src/supervisor/core.ts";
export type { Step } from "./src/supervisor/core.ts";
export type {
  CoreConfig,
  Phase,
  SupervisorCommand,
  SupervisorEvent,
  SupervisorState,
} from "./src/supervisor/types.ts";
export { judgeStatus } from "./src/runtime/status_file.ts";
export type { PilotStatus } from "./src/runtime/status_file.ts";
