/**
 * The table of settings (SPEC §2): names in each source, the parser of a raw value, defaults.
 *
 * @module
 */

import type { PilotConfig } from "./types.ts";
import * as v from "./values.ts";
import { DEFAULT_STATUS_FILE, STATUS_FILE_ENV } from "../runtime/status_file.ts";

/** Keys of settings that come from a single raw value. */
export type SettingKey = Exclude<keyof PilotConfig, "consulToken" | "consulTls" | "kafkaSecurity">;

/** How one setting is named in each source and how its raw value is parsed. */
export interface Setting {
  /** Field of {@linkcode PilotConfig}. */
  readonly key: SettingKey;
  /** Environment variables, in priority order (the first one set wins). */
  readonly env: readonly string[];
  /** Conffile keys (matched case-insensitively); the first is the documented one. */
  readonly conffile: readonly string[];
  /** Parser from a raw value to the typed value (`null` from the Kafka parser means off). */
  readonly parser: v.ValueParser<unknown>;
  /** One line for `--help` and the README. */
  readonly describe: string;
}

function setting(
  key: SettingKey,
  env: readonly string[],
  conffile: readonly string[],
  parser: v.ValueParser<unknown>,
  describe: string,
): Setting {
  return { key, env, conffile, parser, describe };
}

const HOUR_MS = 3_600_000;

/**
 * The longest value of each duration setting. All stay far below the 2^31 ms (24.8 days) that a
 * JavaScript timer holds: a longer delay fires at once (a 600h stop timeout would SIGKILL the
 * mate 1 ms after SIGTERM). Periods and timeouts longer than an hour are mistakes; Consul keeps a
 * critical instance for up to a week.
 */
export const MAX_DURATION_MS = {
  readyTimeoutMs: HOUR_MS,
  startupCheckPeriodMs: HOUR_MS,
  checkPeriodMs: HOUR_MS,
  deregisterAfterMs: 168 * HOUR_MS,
  stopTimeoutMs: HOUR_MS,
  startupTimeoutMs: 24 * HOUR_MS,
} as const satisfies Partial<Record<keyof PilotConfig, number>>;

/**
 * The largest Kafka buffer. The pilot sets aside 26 bytes a record for the record limit when it
 * starts (the pages are touched as records arrive), and lines' bytes grow to the byte limit; a
 * larger value is a typo that would fail the allocation at start, or let the pilot eat the
 * container's memory.
 */
export const MAX_KAFKA_BUFFER = {
  kafkaBuffer: 10_000_000,
  kafkaBufferBytes: 4 * 1024 ** 3,
} as const satisfies Partial<Record<keyof PilotConfig, number>>;

/** Every setting that comes from one raw value, in the order `check` prints them. */
export const SETTINGS: readonly Setting[] = [
  setting("consul", ["CONSUL", "CONSUL_HTTP_ADDR"], ["Consul"], v.consulAddress, "Consul address"),
  setting("name", ["SERVICE_NAME"], ["Name"], v.serviceName, "mate name in Consul"),
  setting("serviceId", ["AMPPILOT_SERVICEID"], ["ServiceId"], v.serviceId, "Consul instance id"),
  setting("cmd", ["AMPPILOT_LAUNCH_CMD"], ["Cmd"], v.command, "launch command"),
  setting("cmdReady", ["AMPPILOT_READY_CMD"], ["CmdReady"], v.command, "ready command"),
  setting(
    "readyTimeoutMs",
    ["AMPPILOT_READYTIMEOUT"],
    ["ReadyTimeout"],
    v.durationAtMost(MAX_DURATION_MS.readyTimeoutMs),
    "ready command timeout",
  ),
  setting(
    "dependencies",
    ["DEPENDENCIES"],
    ["Dependencies"],
    v.dependencies,
    "dependencies (Consul service names)",
  ),
  setting(
    "startupTimeoutMs",
    ["AMPPILOT_STARTUPTIMEOUT"],
    ["StartupTimeout"],
    v.durationAtMost(MAX_DURATION_MS.startupTimeoutMs),
    "startup timeout for the dependencies",
  ),
  setting(
    "netInterface",
    ["AMPPILOT_NETINTERFACE"],
    ["NetInterface"],
    v.nonEmptyString,
    "interface of the registered IP",
  ),
  setting(
    "registeredIp",
    ["AMPPILOT_REGISTEREDIP"],
    ["RegisteredIp"],
    v.ipAddress,
    "registered IP (overrides the interface)",
  ),
  setting(
    "registeredPort",
    ["AMPPILOT_REGISTEREDPORT"],
    ["RegisteredPort", "RegisterPort"],
    v.port,
    "registered port",
  ),
  setting("tags", ["AMPPILOT_TAGS"], ["Tags"], v.nameList, "Consul tags"),
  setting(
    "startupCheckPeriodMs",
    ["AMPPILOT_STARTUPCHECKPERIOD"],
    ["StartupCheckPeriod"],
    v.durationAtMost(MAX_DURATION_MS.startupCheckPeriodMs),
    "period while the mate starts",
  ),
  setting(
    "checkPeriodMs",
    ["AMPPILOT_CHECKPERIOD"],
    ["CheckPeriod"],
    v.durationAtMost(MAX_DURATION_MS.checkPeriodMs),
    "period once the mate is ready",
  ),
  setting(
    "deregisterAfterMs",
    ["AMPPILOT_DEREGISTERAFTER"],
    ["DeregisterAfter"],
    v.durationAtMost(MAX_DURATION_MS.deregisterAfterMs),
    "Consul removes a critical instance after",
  ),
  setting(
    "stopAtMateStop",
    ["AMPPILOT_STOPATMATESTOP", "AMPPILOT_APPLICATIONSTOP"],
    ["StopAtMateStop", "ApplicationStop"],
    v.boolean,
    "exit when the mate stops by itself",
  ),
  setting(
    "stopTimeoutMs",
    ["AMPPILOT_STOPTIMEOUT"],
    ["StopTimeout"],
    v.durationAtMost(MAX_DURATION_MS.stopTimeoutMs),
    "grace between SIGTERM and SIGKILL",
  ),
  setting("kafka", ["KAFKA", "AMPPILOT_KAFKA"], ["Kafka"], v.kafkaTarget, "Kafka brokers or zk://"),
  setting("kafkaTopic", ["KAFKA_TOPIC"], ["KafkaTopic"], v.nonEmptyString, "Kafka topic"),
  setting(
    "kafkaBuffer",
    ["AMPPILOT_KAFKABUFFER"],
    ["KafkaBuffer"],
    v.positiveIntegerAtMost(MAX_KAFKA_BUFFER.kafkaBuffer),
    "Kafka buffer limit (records, at most 10000000)",
  ),
  setting(
    "kafkaBufferBytes",
    ["AMPPILOT_KAFKABUFFERBYTES"],
    ["KafkaBufferBytes"],
    v.sizeBytesAtMost(MAX_KAFKA_BUFFER.kafkaBufferBytes),
    "Kafka buffer limit (bytes, at most 4 GiB)",
  ),
  setting("logLevel", ["AMPPILOT_LOGLEVEL"], ["LogLevel"], v.logLevel, "pilot log level"),
  setting("logFormat", ["AMPPILOT_LOGFORMAT"], ["LogFormat"], v.logFormat, "pilot log format"),
  setting("standalone", ["AMPPILOT_STANDALONE"], [], v.boolean, "skip Docker discovery"),
  setting(
    "statusFile",
    [STATUS_FILE_ENV],
    ["StatusFile"],
    v.nonEmptyString,
    "status file for amp-pilot health",
  ),
  setting(
    "telemetry",
    ["AMPPILOT_TELEMETRY"],
    ["Telemetry"],
    v.listenAddress,
    "Prometheus /metrics and /status at",
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

/** What it means when a setting without a default is not given, for `--help` and the README. */
export const UNSET_MEANING: Partial<Record<SettingKey, string>> = {
  consul: "none: direct mode",
  name: "required with Consul",
  serviceId: "`<name>-<8 hex>` per pilot, kept across mate restarts",
  cmd: "required",
  cmdReady: "none: started is ready",
  registeredIp: "from the interface",
  kafka: "none: no shipping",
  startupTimeoutMs: "none: wait for ever",
  telemetry: "none: off, no port opened",
};

/** Conffile keys of the original program that are accepted and ignored, with a warning. */
export const IGNORED_CONFFILE_KEYS: readonly string[] = ["Host", "LogFileFormat"];

/** Environment variables of the token, in priority order. */
export const TOKEN_ENV = ["CONSUL_HTTP_TOKEN", "CONSUL_HTTP_TOKEN_FILE"] as const;

/** The environment variable naming the conffile. */
export const CONFFILE_ENV = "AMPPILOT_CONFFILE";
