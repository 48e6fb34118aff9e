/**
 * Zod schemas that turn one raw configuration value (a string from the environment, or a JSON
 * value from the conffile) into its typed form, with the expected form as the error message.
 *
 * @module
 */

import { z, type ZodType } from "../deps.ts";
import { parseBoolWord } from "./bool_words.ts";
import { ShellWordsError, splitShellWords } from "./shell_words.ts";
import type {
  ConsulAddress,
  Dependency,
  KafkaTarget,
  PilotLogFormat,
  PilotLogLevel,
} from "./types.ts";

/** A schema from a raw value to `T`; its issues carry the expected form. */
export type ValueSchema<T> = ZodType<T, unknown>;

/** Raised inside a value parser to replace the generic expected form with a precise reason. */
class Reject extends Error {}

/**
 * Builds a schema from a parse function: `parse` returns the value, or `undefined` when the raw
 * value does not have the expected form (it may also throw `Reject` with a more precise reason).
 */
function valueSchema<T>(expected: string, parse: (raw: unknown) => T | undefined): ValueSchema<T> {
  return z.unknown().transform((raw, ctx) => {
    try {
      const value = parse(raw);
      if (value !== undefined) return value;
      ctx.issues.push({ code: "custom", message: expected, input: raw });
    } catch (e) {
      if (!(e instanceof Reject)) throw e;
      ctx.issues.push({ code: "custom", message: e.message, input: raw });
    }
    return z.NEVER;
  });
}

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/y;
const PLAIN_NUMBER = /^\d+(?:\.\d+)?$/;

/** Parses `5`, `0.5` (seconds) or `500ms`, `2s`, `1m`, `1h`, `1m30s` into milliseconds. */
export function parseDurationMs(text: string): number | undefined {
  const s = text.trim();
  if (PLAIN_NUMBER.test(s)) return Number(s) * 1000;
  if (s === "") return undefined;
  let total = 0;
  DURATION_PART.lastIndex = 0;
  while (DURATION_PART.lastIndex < s.length) {
    const m = DURATION_PART.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * DURATION_UNITS_MS[m[2]!]!;
  }
  return total;
}

/** A positive duration: seconds as a number, or a duration string. Result in milliseconds. */
export const durationMs: ValueSchema<number> = valueSchema(
  "expected a positive number of seconds (5, 0.5) or a duration (500ms, 2s, 1m)",
  (raw) => {
    const ms = typeof raw === "number"
      ? raw * 1000
      : typeof raw === "string"
      ? parseDurationMs(raw)
      : undefined;
    if (ms === undefined || !Number.isFinite(ms)) return undefined;
    if (ms <= 0) throw new Reject("expected a duration greater than zero (5, 0.5, 500ms, 2s, 1m)");
    return Math.round(ms);
  },
);

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
};
const SIZE = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i;

/** A positive size in bytes: an integer, or a number with a unit (`512KiB`, `16MiB`, `1GB`). */
export const sizeBytes: ValueSchema<number> = valueSchema(
  "expected a positive size in bytes (1048576) or with a unit (512KiB, 16MiB, 1GB)",
  (raw) => {
    let bytes: number | undefined;
    if (typeof raw === "number") bytes = Number.isInteger(raw) ? raw : undefined;
    if (typeof raw === "string") {
      const m = SIZE.exec(raw.trim());
      const unit = m && SIZE_UNITS[(m[2] || "b").toLowerCase()];
      if (m && unit) bytes = Math.floor(Number(m[1]) * unit);
    }
    if (bytes === undefined) return undefined;
    if (bytes <= 0) throw new Reject("expected a size greater than zero (512KiB, 16MiB)");
    return bytes;
  },
);

/** A positive integer (a count). */
export const positiveInteger: ValueSchema<number> = valueSchema(
  "expected a positive integer",
  (raw) => {
    const n = typeof raw === "number" ? raw : typeof raw === "string" ? toInteger(raw) : NaN;
    return Number.isSafeInteger(n) && n > 0 ? n : undefined;
  },
);

function toInteger(text: string): number {
  return /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
}

/** A TCP port, 1 to 65535, as a number or a numeric string. */
export const port: ValueSchema<number> = valueSchema(
  "expected a port number from 1 to 65535",
  (raw) => {
    const n = typeof raw === "number" ? raw : typeof raw === "string" ? toInteger(raw) : NaN;
    return Number.isInteger(n) && n >= 1 && n <= 65535 ? n : undefined;
  },
);

/** A boolean: JSON `true`/`false`, or `true/false/1/0/yes/no/on/off` in any case. */
export const boolean: ValueSchema<boolean> = valueSchema(
  "expected true/false, 1/0, yes/no or on/off",
  (raw) => {
    if (typeof raw === "boolean") return raw;
    if (typeof raw !== "string") return undefined;
    return parseBoolWord(raw);
  },
);

/** A non-empty string (surrounding blanks removed). */
export const nonEmptyString: ValueSchema<string> = valueSchema(
  "expected a non-empty string",
  (raw) => typeof raw === "string" && raw.trim() !== "" ? raw.trim() : undefined,
);

/**
 * A command: a string split like a POSIX shell splits words (never run through a shell), a
 * string starting with `[` holding a JSON array of strings (Docker's exec form), or, in the
 * conffile, an array of strings.
 */
export const command: ValueSchema<string[]> = valueSchema(
  "expected a command line (`/app/run --port 80`) or a JSON array of strings",
  (raw) => {
    const argv = typeof raw === "string"
      ? commandFromString(raw)
      : Array.isArray(raw) && raw.every((w) => typeof w === "string")
      ? raw
      : undefined;
    if (argv === undefined) return undefined;
    if (argv.length === 0 || argv[0] === "") throw new Reject("expected a non-empty command");
    return argv;
  },
);

function commandFromString(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (e) {
      throw new Reject(`expected a JSON array of strings: ${(e as Error).message}`);
    }
    if (!Array.isArray(parsed) || !parsed.every((w) => typeof w === "string")) {
      throw new Reject('expected a JSON array of strings, like ["/app/run", "--port", "80"]');
    }
    return parsed;
  }
  try {
    return splitShellWords(trimmed);
  } catch (e) {
    if (e instanceof ShellWordsError) throw new Reject(`cannot split the command: ${e.message}`);
    throw e;
  }
}

/** Splits a list written with commas and/or blanks; empty items and duplicates are dropped. */
export function splitList(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter((item) => item !== ""))];
}

/** A list of names: commas and/or blanks in a string, or an array of strings. */
export const nameList: ValueSchema<string[]> = valueSchema(
  "expected names separated by commas or blanks, or an array of strings",
  (raw) => {
    if (typeof raw === "string") return splitList(raw);
    if (Array.isArray(raw) && raw.every((w) => typeof w === "string")) {
      return splitList(raw.join(","));
    }
    return undefined;
  },
);

const CONFFILE_DEPENDENCY = z.union([
  z.string().trim().min(1),
  z.looseObject({}).transform((entry, ctx) => {
    const lower = new Map(Object.entries(entry).map(([k, v]) => [k.toLowerCase(), v]));
    const unknown = [...lower.keys()].filter((k) => k !== "name" && k !== "onlyatstartup");
    const name = lower.get("name");
    const only = lower.get("onlyatstartup") ?? false;
    if (unknown.length > 0 || typeof name !== "string" || name.trim() === "") {
      ctx.issues.push({ code: "custom", message: "bad entry", input: entry });
      return z.NEVER;
    }
    const flag = boolean.safeParse(only);
    if (!flag.success) {
      ctx.issues.push({ code: "custom", message: "bad OnlyAtStartup", input: entry });
      return z.NEVER;
    }
    return { name: name.trim(), onlyAtStartup: flag.data };
  }),
]);

/**
 * Dependencies: a string of names (environment), or an array of `{ "Name", "OnlyAtStartup" }`
 * objects or plain names (conffile). Duplicates are dropped, the first one wins.
 */
export const dependencies: ValueSchema<Dependency[]> = valueSchema(
  'expected names separated by commas or blanks, or an array of {"Name": "db", "OnlyAtStartup": false}',
  (raw) => {
    if (typeof raw === "string") {
      return splitList(raw).map((name) => ({ name, onlyAtStartup: false }));
    }
    const parsed = z.array(CONFFILE_DEPENDENCY).safeParse(raw);
    if (!parsed.success) return undefined;
    const seen = new Map<string, Dependency>();
    for (const d of parsed.data) {
      const dep = typeof d === "string" ? { name: d, onlyAtStartup: false } : d;
      if (!seen.has(dep.name)) seen.set(dep.name, dep);
    }
    return [...seen.values()];
  },
);

const HOST_PORT = /^(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9.-]*[a-z0-9])?|[a-z0-9_.-]+):(\d{1,5})$/i;

function isHostPort(text: string): boolean {
  const m = HOST_PORT.exec(text);
  return m !== null && Number(m[3]) >= 1 && Number(m[3]) <= 65535;
}

/** A Consul address: `host:port`, `http://host:port`, `https://host:port` or `unix:///path`. */
export const consulAddress: ValueSchema<ConsulAddress> = valueSchema(
  "expected host:port, http://host:port, https://host:port or unix:///absolute/path",
  (raw) => {
    if (typeof raw !== "string") return undefined;
    const text = raw.trim();
    if (text.startsWith("unix://")) {
      const path = text.slice("unix://".length);
      return path.startsWith("/") && path.length > 1
        ? { kind: "unix", path, baseUrl: "http://consul.local" }
        : undefined;
    }
    const m = /^(https?):\/\/([^/]+)\/?$/i.exec(text);
    if (m) {
      if (!isHostPort(m[2]!) && !HOST_PORT.exec(`${m[2]}:1`)) return undefined;
      return { kind: "http", baseUrl: `${m[1]!.toLowerCase()}://${m[2]}` };
    }
    return isHostPort(text) ? { kind: "http", baseUrl: `http://${text}` } : undefined;
  },
);

const ZK_PORT = "2181";

/**
 * A Kafka target: `none` (off, returns `null`), a comma-separated list of `host:port` brokers,
 * or a ZooKeeper address (`zk://host:2181[,host:2181][/chroot]`, or a bare address on 2181).
 */
export const kafkaTarget: ValueSchema<KafkaTarget | null> = valueSchema(
  "expected none, host:port[,host:port…] brokers, or zk://host:2181[,host:2181][/chroot]",
  (raw) => {
    if (typeof raw !== "string") return undefined;
    const text = raw.trim();
    if (text.toLowerCase() === "none") return null;
    if (text.toLowerCase().startsWith("zk://")) {
      const rest = text.slice(5);
      const slash = rest.indexOf("/");
      const hostsPart = slash < 0 ? rest : rest.slice(0, slash);
      const chroot = slash < 0 ? "/" : rest.slice(slash).replace(/\/+$/, "") || "/";
      const hosts = hostsPart.split(",").map((h) => h.trim());
      return hosts.every(isHostPort) ? { kind: "zookeeper", hosts, chroot } : undefined;
    }
    const brokers = text.split(",").map((h) => h.trim()).filter((h) => h !== "");
    if (brokers.length === 0 || !brokers.every(isHostPort)) return undefined;
    if (brokers.length === 1 && brokers[0]!.endsWith(`:${ZK_PORT}`)) {
      return { kind: "zookeeper", hosts: brokers, chroot: "/" };
    }
    return { kind: "brokers", brokers };
  },
);

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function isIpv6(text: string): boolean {
  try {
    return text.includes(":") && new URL(`http://[${text}]/`).hostname !== "";
  } catch {
    return false;
  }
}

/** An IPv4 or IPv6 address. */
export const ipAddress: ValueSchema<string> = valueSchema(
  "expected an IPv4 or IPv6 address (10.0.0.5, fd00::5)",
  (raw) => {
    if (typeof raw !== "string") return undefined;
    const text = raw.trim();
    return IPV4.test(text) || isIpv6(text) ? text : undefined;
  },
);

const LOG_LEVELS: Record<string, PilotLogLevel> = {
  trace: "trace",
  debug: "debug",
  info: "info",
  warn: "warning",
  warning: "warning",
  error: "error",
  fatal: "fatal",
};

/** A log level: trace, debug, info, warning (or warn), error, fatal; any case. */
export const logLevel: ValueSchema<PilotLogLevel> = valueSchema(
  "expected one of trace, debug, info, warning, error, fatal",
  (raw) => typeof raw === "string" ? LOG_LEVELS[raw.trim().toLowerCase()] : undefined,
);

/** A log format: text or json; any case. */
export const logFormat: ValueSchema<PilotLogFormat> = valueSchema(
  "expected text or json",
  (raw) => {
    const word = typeof raw === "string" ? raw.trim().toLowerCase() : "";
    return word === "text" || word === "json" ? word : undefined;
  },
);

/** Every schema a setting can name, by name (the settings table names them without loading zod). */
export const VALUE_SCHEMAS = {
  boolean,
  command,
  consulAddress,
  dependencies,
  durationMs,
  ipAddress,
  kafkaTarget,
  logFormat,
  logLevel,
  nameList,
  nonEmptyString,
  port,
  positiveInteger,
  sizeBytes,
} as const;

/** The name of a schema in {@linkcode VALUE_SCHEMAS}. */
export type ValueSchemaName = keyof typeof VALUE_SCHEMAS;
