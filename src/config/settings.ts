/**
 * The table of settings (SPEC §2): names in each source, the schema of a raw value, defaults.
 *
 * @module
 */

import type { PilotConfig } from "./types.ts";
import type { ValueSchemaName } from "./values.ts";
import { DEFAULT_STATUS_FILE, STATUS_FILE_ENV } from "../runtime/status_file.ts";

/** Keys of settings that come from a single raw value. */
export type SettingKey = Exclude<keyof PilotConfig, "consulToken" | "consulTls">;

/** How one setting is named in each source and how its raw value is parsed. */
export interface Setting {
  /** Field of {@linkcode PilotConfig}. */
  readonly key: SettingKey;
  /** Environment variables, in priority order (the first one set wins). */
  readonly env: readonly string[];
  /** Conffile keys (matched case-insensitively); the first is the documented one. */
  readonly conffile: readonly string[];
  /**
   * The schema from a raw value to the typed value (`null` from the Kafka schema means off), by
   * name: the schemas (and zod) are loaded only when a raw value has to be parsed.
   */
  readonly schema: ValueSchemaName;
  /** One line for `--help` and the README. */
  readonly describe: string;
}

function setting(
  key: SettingKey,
  env: readonly string[],
  conffile: readonly string[],
  schema: ValueSchemaName,
  describe: string,
): Setting {
  return { key, env, conffile, schema, describe };
}

/** Every setting that comes from one raw value, in the order `check` prints them. */
export const SETTINGS: readonly Setting[] = [
  setting("consul", ["CONSUL", "CONSUL_HTTP_ADDR"], ["Consul"], "consulAddress", "Consul address"),
  setting("name", ["SERVICE_NAME"], ["Name"], "nonEmptyString", "mate name in Consul"),
  setting("serviceId", ["AMPPILOT_SERVICEID"], ["ServiceId"], "nonEmptyString", "instance id"),
  setting("cmd", ["AMPPILOT_LAUNCH_CMD"], ["Cmd"], "command", "launch command"),
  setting("cmdReady", ["AMPPILOT_READY_CMD"], ["CmdReady"], "command", "ready command"),
  setting(
    "readyTimeoutMs",
    ["AMPPILOT_READYTIMEOUT"],
    ["ReadyTimeout"],
    "durationMs",
    "ready command timeout",
  ),
  setting(
    "dependencies",
    ["DEPENDENCIES"],
    ["Dependencies"],
    "dependencies",
    "dependencies (Consul service names)",
  ),
  setting(
    "netInterface",
    ["AMPPILOT_NETINTERFACE"],
    ["NetInterface"],
    "nonEmptyString",
    "interface of the registered IP",
  ),
  setting(
    "registeredIp",
    ["AMPPILOT_REGISTEREDIP"],
    ["RegisteredIp"],
    "ipAddress",
    "registered IP (overrides the interface)",
  ),
  setting(
    "registeredPort",
    ["AMPPILOT_REGISTEREDPORT"],
    ["RegisteredPort", "RegisterPort"],
    "port",
    "registered port",
  ),
  setting("tags", ["AMPPILOT_TAGS"], ["Tags"], "nameList", "Consul tags"),
  setting(
    "startupCheckPeriodMs",
    ["AMPPILOT_STARTUPCHECKPERIOD"],
    ["StartupCheckPeriod"],
    "durationMs",
    "period while the mate starts",
  ),
  setting(
    "checkPeriodMs",
    ["AMPPILOT_CHECKPERIOD"],
    ["CheckPeriod"],
    "durationMs",
    "period once the mate is ready",
  ),
  setting(
    "deregisterAfterMs",
    ["AMPPILOT_DEREGISTERAFTER"],
    ["DeregisterAfter"],
    "durationMs",
    "Consul removes a critical instance after",
  ),
  setting(
    "stopAtMateStop",
    ["AMPPILOT_STOPATMATESTOP", "AMPPILOT_APPLICATIONSTOP"],
    ["StopAtMateStop", "ApplicationStop"],
    "boolean",
    "exit when the mate stops by itself",
  ),
  setting(
    "stopTimeoutMs",
    ["AMPPILOT_STOPTIMEOUT"],
    ["StopTimeout"],
    "durationMs",
    "grace between SIGTERM and SIGKILL",
  ),
  setting("kafka", ["KAFKA", "AMPPILOT_KAFKA"], ["Kafka"], "kafkaTarget", "Kafka brokers or zk://"),
  setting("kafkaTopic", ["KAFKA_TOPIC"], ["KafkaTopic"], "nonEmptyString", "Kafka topic"),
  setting(
    "kafkaBuffer",
    ["AMPPILOT_KAFKABUFFER"],
    ["KafkaBuffer"],
    "positiveInteger",
    "Kafka buffer limit (records)",
  ),
  setting(
    "kafkaBufferBytes",
    ["AMPPILOT_KAFKABUFFERBYTES"],
    ["KafkaBufferBytes"],
    "sizeBytes",
    "Kafka buffer limit (bytes)",
  ),
  setting("logLevel", ["AMPPILOT_LOGLEVEL"], ["LogLevel"], "logLevel", "pilot log level"),
  setting("logFormat", ["AMPPILOT_LOGFORMAT"], ["LogFormat"], "logFormat", "pilot log format"),
  setting("standalone", ["AMPPILOT_STANDALONE"], [], "boolean", "skip Docker discovery"),
  setting(
    "statusFile",
    [STATUS_FILE_ENV],
    ["StatusFile"],
    "nonEmptyString",
    "status file for amp-pilot health",
  ),
];

/** Built-in defaults; settings absent here have no value unless a source gives one. */
export const DEFAULTS: Partial<Record<SettingKey, unknown>> = {
  netInterface: "eth0",
  registeredPort: 80,
  startupCheckPeriodMs: 1_000,
  checkPeriodMs: 10_000,
  stopAtMateStop: false,
  dependencies: [],
  kafkaTopic: "amp-logs",
  stopTimeoutMs: 5_000,
  tags: [],
  deregisterAfterMs: 60_000,
  logLevel: "info",
  logFormat: "text",
  readyTimeoutMs: 5_000,
  kafkaBuffer: 10_000,
  kafkaBufferBytes: 16 * 1024 * 1024,
  standalone: false,
  statusFile: DEFAULT_STATUS_FILE,
};

/** Conffile keys of the original program that are accepted and ignored, with a warning. */
export const IGNORED_CONFFILE_KEYS: readonly string[] = ["Host", "LogFileFormat"];

/** Environment variables of the token, in priority order. */
export const TOKEN_ENV = ["CONSUL_HTTP_TOKEN", "CONSUL_HTTP_TOKEN_FILE"] as const;

/** The environment variable naming the conffile. */
export const CONFFILE_ENV = "AMPPILOT_CONFFILE";
