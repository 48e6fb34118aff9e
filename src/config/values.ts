/**
 * Parsers that turn one raw configuration value (a string from the environment, or a JSON value
 * from the conffile) into its typed form, with the expected form as the error message.
 *
 * They are plain functions, not zod schemas: importing zod costs 23-39 ms of startup and ~9 MB of
 * idle RSS, and each value here is a string or a scalar that one function reads. zod checks the one
 * structured value, the conffile's list of dependency objects (`dependency_list.ts`).
 *
 * @module
 */

import { parseBoolWord } from "./bool_words.ts";
import {
  isServiceId,
  isServiceName,
  SERVICE_ID_EXPECTED,
  SERVICE_NAME_EXPECTED,
} from "./service_name.ts";
import { ShellWordsError, splitShellWords } from "./shell_words.ts";
import type {
  ConsulAddress,
  Dependency,
  KafkaTarget,
  PilotLogFormat,
  PilotLogLevel,
} from "./types.ts";

/** The outcome of parsing one raw value: the value, or the form that was expected. */
export type ParseResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly expected: string };

/** Turns one raw configuration value into its typed form. */
export interface ValueParser<T> {
  /** The value, or the form that was expected; bad input never throws. */
  tryParse(raw: unknown): ParseResult<T>;
  /** The value of a raw value known to be good; throws a `TypeError` naming the expected form. */
  parse(raw: unknown): T;
}

/** Raised inside a value parser to replace the generic expected form with a precise reason. */
class Reject extends Error {}

/**
 * Builds a parser from a parse function: `parse` returns the value, or `undefined` when the raw
 * value does not have the expected form (it may also throw `Reject` with a more precise reason).
 */
function valueParser<T>(expected: string, parse: (raw: unknown) => T | undefined): ValueParser<T> {
  const tryParse = (raw: unknown): ParseResult<T> => {
    try {
      const value = parse(raw);
      return value === undefined ? { ok: false, expected } : { ok: true, value };
    } catch (e) {
      if (e instanceof Reject) return { ok: false, expected: e.message };
      throw e;
    }
  };
  return {
    tryParse,
    parse(raw: unknown): T {
      const result = tryParse(raw);
      if (!result.ok) throw new TypeError(`${JSON.stringify(raw)}: ${result.expected}`);
      return result.value;
    },
  };
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

/**
 * The longest delay a JavaScript timer holds: 2^31 - 1 ms (about 24.8 days); longer ones fire at
 * once.
 */
export const TIMER_LIMIT_MS = 2 ** 31 - 1;

/** A duration as a user writes it: `1h`, `90s`, `1m30s`, `250ms`. */
export function formatDuration(ms: number): string {
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of [["h", 3_600_000], ["m", 60_000], ["s", 1000]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  if (rest > 0 || parts.length === 0) parts.push(`${rest}ms`);
  return parts.join("");
}

/**
 * A positive duration of at most `maxMs`: seconds as a number, or a duration string. Result in
 * whole milliseconds, at least 1.
 */
export function durationAtMost(maxMs: number): ValueParser<number> {
  const max = formatDuration(maxMs);
  return valueParser(
    `expected a positive number of seconds (5, 0.5) or a duration (500ms, 2s, 1m), at most ${max}`,
    (raw) => {
      const ms = typeof raw === "number"
        ? raw * 1000
        : typeof raw === "string"
        ? parseDurationMs(raw)
        : undefined;
      if (ms === undefined || Number.isNaN(ms)) return undefined;
      if (ms > maxMs) throw new Reject(`expected a duration of at most ${max}`);
      if (ms <= 0) {
        throw new Reject("expected a duration greater than zero (5, 0.5, 500ms, 2s, 1m)");
      }
      if (Math.round(ms) < 1) throw new Reject("expected a duration of at least 1ms");
      return Math.round(ms);
    },
  );
}

/** A positive duration that a timer can hold (below 2^31 ms). Result in milliseconds. */
export const durationMs: ValueParser<number> = durationAtMost(TIMER_LIMIT_MS);

/** `1 GiB`, `1 MiB`, `4 KiB`, `512 bytes`: the largest binary unit that divides `n`. */
export function formatBytes(n: number): string {
  if (n >= 1024 ** 3 && n % 1024 ** 3 === 0) return `${n / 1024 ** 3} GiB`;
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

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

/**
 * A positive size in bytes of at most `maxBytes`: an integer, or a number with a unit (`512KiB`,
 * `16MiB`, `1GB`).
 */
export function sizeBytesAtMost(maxBytes: number): ValueParser<number> {
  return valueParser(
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
      if (bytes > maxBytes) throw new Reject(`expected a size of at most ${formatBytes(maxBytes)}`);
      return bytes;
    },
  );
}

/** A positive integer (a count) of at most `max`. */
export function positiveIntegerAtMost(max: number): ValueParser<number> {
  return valueParser(`expected a positive integer of at most ${max}`, (raw) => {
    const n = typeof raw === "number" ? raw : typeof raw === "string" ? toInteger(raw) : NaN;
    return Number.isInteger(n) && n > 0 && n <= max ? n : undefined;
  });
}

function toInteger(text: string): number {
  return /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
}

/** A TCP port, 1 to 65535, as a number or a numeric string. */
export const port: ValueParser<number> = valueParser(
  "expected a port number from 1 to 65535",
  (raw) => {
    const n = typeof raw === "number" ? raw : typeof raw === "string" ? toInteger(raw) : NaN;
    return Number.isInteger(n) && n >= 1 && n <= 65535 ? n : undefined;
  },
);

/** A boolean: JSON `true`/`false`, or `true/false/1/0/yes/no/on/off` in any case. */
export const boolean: ValueParser<boolean> = valueParser(
  "expected true/false, 1/0, yes/no or on/off",
  (raw) => {
    if (typeof raw === "boolean") return raw;
    if (typeof raw !== "string") return undefined;
    return parseBoolWord(raw);
  },
);

/** A non-empty string (surrounding blanks removed). */
export const nonEmptyString: ValueParser<string> = valueParser(
  "expected a non-empty string",
  (raw) => typeof raw === "string" && raw.trim() !== "" ? raw.trim() : undefined,
);

/**
 * A command: a string split like a POSIX shell splits words (never run through a shell), a
 * string starting with `[` holding a JSON array of strings (Docker's exec form), or, in the
 * conffile, an array of strings.
 */
export const command: ValueParser<string[]> = valueParser(
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
export const nameList: ValueParser<string[]> = valueParser(
  "expected names separated by commas or blanks, or an array of strings",
  (raw) => {
    if (typeof raw === "string") return splitList(raw);
    if (Array.isArray(raw) && raw.every((w) => typeof w === "string")) {
      return splitList(raw.join(","));
    }
    return undefined;
  },
);

/** The forms a dependency list takes, for error messages. */
export const DEPENDENCIES_EXPECTED =
  'expected names separated by commas or blanks, or an array of {"Name": "db", "OnlyAtStartup": false}';

/** A trimmed non-empty string that `isValid` accepts; `expected` describes one. */
function checkedName(expected: string, isValid: (name: string) => boolean): ValueParser<string> {
  return valueParser(`expected ${expected}`, (raw) => {
    if (typeof raw !== "string" || raw.trim() === "") return undefined;
    if (!isValid(raw.trim())) throw new Reject(`expected ${expected}`);
    return raw.trim();
  });
}

/** A Consul service name (see `service_name.ts`), surrounding blanks removed. */
export const serviceName: ValueParser<string> = checkedName(SERVICE_NAME_EXPECTED, isServiceName);

/** A Consul instance id (see `service_name.ts`), surrounding blanks removed. */
export const serviceId: ValueParser<string> = checkedName(SERVICE_ID_EXPECTED, isServiceId);

/** Rejects a list holding a name Consul's URLs cannot carry, naming the first such name. */
export function checkServiceNames(names: readonly string[]): string | undefined {
  const bad = names.find((name) => !isServiceName(name));
  if (bad === undefined) return undefined;
  const shown = JSON.stringify(bad.length > 40 ? `${bad.slice(0, 40)}…` : bad);
  return `${shown} is not ${SERVICE_NAME_EXPECTED}`;
}

/**
 * Dependencies from a string of names (environment); duplicates are dropped. The conffile's array
 * of names and `{"Name", "OnlyAtStartup"}` objects is read by `dependency_list.ts`.
 */
export const dependencies: ValueParser<Dependency[]> = valueParser(
  DEPENDENCIES_EXPECTED,
  (raw) => {
    if (typeof raw !== "string") return undefined;
    const names = splitList(raw);
    const problem = checkServiceNames(names);
    if (problem !== undefined) throw new Reject(`expected dependency names: ${problem}`);
    return names.map((name) => ({ name, onlyAtStartup: false }));
  },
);

const HOST_PORT = /^(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9.-]*[a-z0-9])?|[a-z0-9_.-]+):(\d{1,5})$/i;

function isHostPort(text: string): boolean {
  const m = HOST_PORT.exec(text);
  return m !== null && Number(m[3]) >= 1 && Number(m[3]) <= 65535;
}

/** Where a local server listens. */
export interface ListenAddress {
  /** Host name or IP (without brackets). */
  readonly hostname: string;
  /** TCP port. */
  readonly port: number;
}

/** A local listening address, `host:port` (the telemetry endpoint). */
export const listenAddress: ValueParser<ListenAddress> = valueParser(
  "expected host:port (0.0.0.0:9090, 127.0.0.1:9090, [::]:9090)",
  (raw) => {
    if (typeof raw !== "string" || !isHostPort(raw.trim())) return undefined;
    const text = raw.trim();
    const colon = text.lastIndexOf(":");
    return {
      hostname: text.slice(0, colon).replace(/^\[(.*)\]$/, "$1"),
      port: Number(text.slice(colon + 1)),
    };
  },
);

/** The port of a Consul agent's HTTP API, for an address given as a bare host. */
export const CONSUL_DEFAULT_PORT = 8500;

/**
 * A Consul address: `host:port`, a bare `host` (port 8500, the agent's HTTP port),
 * `http://host[:port]`, `https://host[:port]` (a URL: without a port, 80 or 443) or
 * `unix:///path`.
 */
export const consulAddress: ValueParser<ConsulAddress> = valueParser(
  "expected host:port, host (port 8500), http://host:port, https://host:port or " +
    "unix:///absolute/path",
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
    if (isHostPort(text)) return { kind: "http", baseUrl: `http://${text}` };
    const withPort = `${text}:${CONSUL_DEFAULT_PORT}`;
    return isHostPort(withPort) ? { kind: "http", baseUrl: `http://${withPort}` } : undefined;
  },
);

const ZK_PORT = "2181";

/**
 * A Kafka target: `none` (off, returns `null`), a comma-separated list of `host:port` brokers,
 * or a ZooKeeper address (`zk://host:2181[,host:2181][/chroot]`, or a bare address on 2181).
 */
export const kafkaTarget: ValueParser<KafkaTarget | null> = valueParser(
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
      if (!isZooKeeperPath(chroot)) return undefined;
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

/** A ZooKeeper path: `/`, or `/`-separated names none of which is empty, `.` or `..`. */
function isZooKeeperPath(path: string): boolean {
  if (path === "/") return true;
  return path.startsWith("/") &&
    path.slice(1).split("/").every((name) => name !== "" && name !== "." && name !== "..");
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function isIpv6(text: string): boolean {
  try {
    return text.includes(":") && new URL(`http://[${text}]/`).hostname !== "";
  } catch {
    return false;
  }
}

/** An IPv4 or IPv6 address. */
export const ipAddress: ValueParser<string> = valueParser(
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
export const logLevel: ValueParser<PilotLogLevel> = valueParser(
  "expected one of trace, debug, info, warning, error, fatal",
  (raw) => typeof raw === "string" ? LOG_LEVELS[raw.trim().toLowerCase()] : undefined,
);

/** A log format: text or json; any case. */
export const logFormat: ValueParser<PilotLogFormat> = valueParser(
  "expected text or json",
  (raw) => {
    const word = typeof raw === "string" ? raw.trim().toLowerCase() : "";
    return word === "text" || word === "json" ? word : undefined;
  },
);
