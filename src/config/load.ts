/**
 * Loads the effective configuration from every source, lowest priority first: defaults, Docker
 * discovery (loader), conffile, environment, command line.
 *
 * @module
 */

import { type ConffileLayer, parseConffile, type RawValue } from "./conffile.ts";
import {
  type Environment,
  envValue,
  onlyAtStartupVariables,
  readEnvLayer,
  strayOnlyAtStartupVariables,
} from "./env.ts";
import { ConfigError, describeIoError, partNotLoaded } from "./errors.ts";
import { MAX_CONFIG_FILE_BYTES, readBoundedTextFile, type TextFileReader } from "./read_file.ts";
import { redactValue, showText } from "./redact.ts";
import { checkSecret, MAX_SECRET_BYTES } from "./secret_value.ts";
import {
  CONFFILE_ENV,
  DEFAULTS,
  type Setting,
  type SettingKey,
  SETTINGS,
  TOKEN_ENV,
} from "./settings.ts";
import type { ConsulAddress, Dependency, PilotConfig, ValueSource } from "./types.ts";
import { readKafkaSecurity } from "./kafka_security.ts";
import { readConsulTls } from "./consul_tls.ts";
import { boolean, type ParseResult } from "./values.ts";
import { unknownVariableWarnings } from "./unknown_variables.ts";
import { shellSyntaxWarning } from "./shell_syntax.ts";

/** Where one effective value came from. */
export interface Provenance {
  /** The kind of source. */
  readonly source: ValueSource;
  /** The variable, conffile key or flag, when there is one. */
  readonly origin?: string;
}

/** The configuration, where each value came from, and warnings to log once logging is up. */
export interface LoadedConfig {
  /** The effective configuration. */
  readonly config: PilotConfig;
  /** Provenance of every setting that has a value. */
  readonly sources: Readonly<Partial<Record<keyof PilotConfig, Provenance>>>;
  /** Non-fatal findings, one line each. */
  readonly warnings: readonly string[];
}

/** Inputs of {@linkcode loadConfig}; everything is injected so that it can be tested. */
export interface LoadOptions {
  /** The environment (empty values count as unset). */
  readonly env: Environment;
  /** The mate's argv given after `--` on the command line. */
  readonly args?: readonly string[];
  /** Raw values found by Docker discovery. */
  readonly loader?: Readonly<Partial<Record<SettingKey, unknown>>>;
  /**
   * Reads a text file (the conffile, a token, a PEM file) of at most `maxBytes` bytes. Defaults
   * to {@linkcode readBoundedTextFile}, which refuses what is not a regular file.
   */
  readonly readTextFile?: TextFileReader;
  /** Random suffix of the default instance id. */
  readonly randomSuffix?: () => string;
}

interface Candidate extends RawValue {
  readonly source: ValueSource;
}

const MIN_DEREGISTER_AFTER_MS = 60_000;

/**
 * Loads, merges and validates the configuration.
 *
 * @throws {ConfigError} With every problem found, not just the first.
 */
export async function loadConfig(options: LoadOptions): Promise<LoadedConfig> {
  const readTextFile = options.readTextFile ?? readBoundedTextFile;
  const problems: string[] = [];
  const warnings: string[] = [];

  const conffile = await readConffileLayer(options.env, readTextFile);
  problems.push(...conffile.problems);
  warnings.push(...conffile.warnings);
  const envLayer = readEnvLayer(options.env);
  warnings.push(...envLayer.warnings);

  const values: Partial<Record<string, unknown>> = {};
  const sources: Partial<Record<keyof PilotConfig, Provenance>> = {};
  const given = new Set<SettingKey>(); // settings some source gave, valid or not
  for (const s of SETTINGS) {
    const candidate = pickCandidate(s.key, options, conffile, envLayer.values);
    if (candidate === undefined) {
      if (DEFAULTS[s.key] !== undefined) {
        values[s.key] = DEFAULTS[s.key];
        sources[s.key] = { source: "default" };
      }
      continue;
    }
    given.add(s.key);
    const parsed = await parseCandidate(s, candidate);
    if (!parsed.ok) {
      problems.push(
        `${describeValue(candidate.origin, redactValue(s.key, candidate.raw))}: ${parsed.expected}`,
      );
      continue;
    }
    if (parsed.value === null) continue; // an explicit "off" (KAFKA=none)
    values[s.key] = parsed.value;
    sources[s.key] = { source: candidate.source, origin: candidate.origin };
  }

  const token = await readToken(options.env, readTextFile, problems);
  if (token) sources.consulToken = { source: "env", origin: token.origin };
  const tls = await readConsulTls(
    options.env,
    values.consul as ConsulAddress | undefined,
    readTextFile,
    problems,
    warnings,
  );
  if (tls) sources.consulTls = { source: "env", origin: tls.origin };
  const kafkaSecurity = await readKafkaSecurity(
    options.env,
    values.kafka !== undefined,
    readTextFile,
    problems,
    warnings,
  );
  if (kafkaSecurity) sources.kafkaSecurity = { source: "env", origin: kafkaSecurity.origin };

  const deps = applyOnlyAtStartup(options.env, values, sources, problems);
  warnings.push(
    ...strayOnlyAtStartupVariables(options.env, deps.map((d) => d.name)).map((variable) =>
      `${variable} is set but names no dependency in the configuration; it is ignored`
    ),
  );

  checkRequired(values, given, problems);
  const unknownVariables = unknownVariableWarnings(options.env);
  if (problems.length > 0) throw new ConfigError(problems, unknownVariables);

  warnings.push(...unknownVariables, ...shellSyntaxWarnings(values, sources));

  adjustPeriods(values, warnings);
  if (values.serviceId === undefined) {
    const suffix = (options.randomSuffix ?? randomSuffix)();
    values.serviceId = `${values.name ?? "mate"}-${suffix}`;
    sources.serviceId = { source: "default", origin: "generated" };
  }
  const config = {
    ...values,
    consulToken: token?.value,
    consulTls: tls?.value,
    kafkaSecurity: kafkaSecurity?.value,
  } as unknown as PilotConfig;
  return { config, sources, warnings };
}

async function readConffileLayer(
  env: Environment,
  readTextFile: TextFileReader,
): Promise<ConffileLayer> {
  const path = envValue(env, CONFFILE_ENV);
  const empty: ConffileLayer = { values: new Map(), problems: [], warnings: [] };
  if (path === undefined) return empty;
  const where = `${CONFFILE_ENV}=${showText(path)}`;
  try {
    const text = await readTextFile(path, MAX_CONFIG_FILE_BYTES);
    if (text.length > MAX_CONFIG_FILE_BYTES) {
      empty.problems.push(`${where}: cannot read the file: it is larger than 1 MiB`);
      return empty;
    }
    return parseConffile(text, path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      empty.warnings.push(`${where}: the file does not exist; continuing without it`);
    } else {
      empty.problems.push(`${where}: cannot read the file: ${describeIoError(e)}`);
    }
    return empty;
  }
}

async function parseCandidate(
  setting: Setting,
  candidate: Candidate,
): Promise<ParseResult<unknown>> {
  // The conffile's list of dependency objects is the one structured value: zod checks it, and is
  // loaded only for it.
  if (setting.key === "dependencies" && Array.isArray(candidate.raw)) {
    let reader: typeof import("./dependency_list.ts");
    try {
      // Not a literal specifier: Deno would read the module and its imports at start (issue #14).
      reader = await (import(String("./dependency_list.ts")) as Promise<
        typeof import("./dependency_list.ts")
      >);
    } catch (e) {
      return { ok: false, expected: partNotLoaded("the part that reads this list", e) };
    }
    return reader.parseDependencyList(candidate.raw);
  }
  return setting.parser.tryParse(candidate.raw);
}

function pickCandidate(
  key: SettingKey,
  options: LoadOptions,
  conffile: ConffileLayer,
  env: Map<SettingKey, RawValue>,
): Candidate | undefined {
  if (key === "cmd" && options.args && options.args.length > 0) {
    return { raw: [...options.args], origin: "arguments after --", source: "cli" };
  }
  const fromEnv = env.get(key);
  if (fromEnv) return { ...fromEnv, source: "env" };
  const fromFile = conffile.values.get(key);
  if (fromFile) return { ...fromFile, source: "conffile" };
  const fromLoader = options.loader?.[key];
  if (fromLoader !== undefined) {
    return { raw: fromLoader, origin: `Docker discovery (${key})`, source: "loader" };
  }
  return undefined;
}

/**
 * Reads the ACL token from `CONSUL_HTTP_TOKEN` or the file named by `CONSUL_HTTP_TOKEN_FILE`,
 * adding a problem when it is unusable.
 */
export async function readToken(
  env: Environment,
  readTextFile: TextFileReader,
  problems: string[],
): Promise<{ value: string; origin: string } | undefined> {
  const [tokenVar, fileVar] = TOKEN_ENV;
  const rules = { asciiOnly: true, trim: true };
  const direct = envValue(env, tokenVar);
  if (direct !== undefined) {
    const checked = checkSecret(direct, rules);
    if (checked.ok) return { value: checked.value, origin: tokenVar };
    problems.push(`${tokenVar}: ${checked.reason}; expected the ACL token`);
    return undefined;
  }
  const path = envValue(env, fileVar);
  if (path === undefined) return undefined;
  const where = `${fileVar}=${showText(path)}`;
  try {
    const checked = checkSecret(await readTextFile(path, MAX_SECRET_BYTES), rules);
    if (checked.ok) return { value: checked.value, origin: fileVar };
    problems.push(
      `${where}: ${checked.empty ? "the file is empty" : checked.reason}; ` +
        "expected a file holding the ACL token",
    );
  } catch (e) {
    problems.push(`${where}: cannot read the token file: ${describeIoError(e)}`);
  }
  return undefined;
}

function applyOnlyAtStartup(
  env: Environment,
  values: Partial<Record<string, unknown>>,
  sources: Partial<Record<keyof PilotConfig, Provenance>>,
  problems: string[],
): Dependency[] {
  const deps = (values.dependencies ?? []) as Dependency[];
  values.dependencies = deps.map((dep) => {
    const variable = onlyAtStartupVariables(dep.name).find((n) => envValue(env, n) !== undefined);
    if (variable === undefined) return dep;
    const parsed = boolean.tryParse(envValue(env, variable));
    if (!parsed.ok) {
      problems.push(
        `${variable}=${redactValue(variable, envValue(env, variable))}: ${parsed.expected}`,
      );
      return dep;
    }
    if (sources.dependencies?.source === "default") {
      sources.dependencies = { source: "env", origin: variable };
    }
    return { name: dep.name, onlyAtStartup: parsed.value };
  });
  return values.dependencies as Dependency[];
}

/** A required value that was given but invalid is already a problem of its own. */
function checkRequired(
  values: Partial<Record<string, unknown>>,
  given: ReadonlySet<SettingKey>,
  problems: string[],
): void {
  if (values.cmd === undefined && !given.has("cmd")) {
    problems.push(
      'no launch command: set AMPPILOT_LAUNCH_CMD, the conffile key "Cmd", or give it after --',
    );
  }
  if (given.has("consul") && values.name === undefined && !given.has("name")) {
    problems.push(
      'no mate name: SERVICE_NAME (or the conffile key "Name") is required when Consul is set',
    );
  }
}

function adjustPeriods(values: Partial<Record<string, unknown>>, warnings: string[]): void {
  const startup = values.startupCheckPeriodMs as number;
  const running = values.checkPeriodMs as number;
  if (startup > running) {
    values.startupCheckPeriodMs = running;
    warnings.push(
      `the startup check period (${startup} ms) exceeds the check period (${running} ms); ` +
        `it is lowered to ${running} ms`,
    );
  }
  const deregister = values.deregisterAfterMs as number;
  if (deregister < MIN_DEREGISTER_AFTER_MS) {
    values.deregisterAfterMs = MIN_DEREGISTER_AFTER_MS;
    warnings.push(
      `the deregister-after delay (${deregister} ms) is below Consul's minimum of 1m; 1m is used`,
    );
  }
}

/** Commands from the command line were typed at a shell, which expanded what it wanted to. */
function shellSyntaxWarnings(
  values: Partial<Record<string, unknown>>,
  sources: Partial<Record<keyof PilotConfig, Provenance>>,
): string[] {
  return (["cmd", "cmdReady"] as const).flatMap((key) => {
    const argv = values[key] as string[] | undefined;
    const source = sources[key];
    if (argv === undefined || source === undefined || source.source === "cli") return [];
    return shellSyntaxWarning(source.origin ?? key, argv) ?? [];
  });
}

/** `NAME="value"` for a variable, `conffile … key "K" = "value"` for other origins. */
function describeValue(origin: string, shown: string): string {
  return origin.includes(" ") ? `${origin} = ${shown}` : `${origin}=${shown}`;
}

function randomSuffix(): string {
  // Unique, not secret: Math.random (seeded by V8 from the OS) spares loading Web Crypto (~0.7 ms
  // of every start).
  return Math.floor(Math.random() * 2 ** 32).toString(16).padStart(8, "0");
}
