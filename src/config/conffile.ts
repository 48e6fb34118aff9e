/**
 * The JSON conffile source: parsing with line and column in errors, case-insensitive keys,
 * aliases, and suggestions for unknown keys.
 *
 * @module
 */

import { showText } from "./redact.ts";
import { nearestName } from "./nearest_name.ts";
import { IGNORED_CONFFILE_KEYS, type SettingKey, SETTINGS } from "./settings.ts";

/** A raw value and a human description of where it was found. */
export interface RawValue {
  /** The value as found (a string from the environment, any JSON value from the conffile). */
  readonly raw: unknown;
  /** Where it was found, e.g. `CONSUL` or `conffile key "Consul"`. */
  readonly origin: string;
}

/** What the conffile contributed. */
export interface ConffileLayer {
  /** Values by setting. */
  readonly values: Map<SettingKey, RawValue>;
  /** Errors (exit 2). */
  readonly problems: string[];
  /** Warnings (logged, not fatal). */
  readonly warnings: string[];
}

const KEY_TO_SETTING = new Map<string, { key: SettingKey; name: string }>(
  SETTINGS.flatMap((s) => s.conffile.map((name) => [name.toLowerCase(), { key: s.key, name }])),
);
const KNOWN_KEYS: readonly string[] = SETTINGS.flatMap((s) => s.conffile);

/** Converts an offset in `text` to a 1-based line and column. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - (before.lastIndexOf("\n") + 1) + 1;
  return { line, column };
}

/**
 * Parses JSON and describes a syntax error with its line and column.
 *
 * @returns The value, or a one-line description of the error.
 */
export function parseJsonWithPosition(
  text: string,
): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    const message = (e as Error).message;
    const m = /at position (\d+)/.exec(message);
    let offset = m ? Number(m[1]) : text.length;
    let reason = message.replace(/\s*(in JSON )?at position \d+.*$/s, "").replace(
      / in JSON$/,
      "",
    );
    // V8 quotes the text after an unexpected token, and gives no position: find the token
    // (`Unexpected token 'x', "…text…" is not valid JSON`, also with `…` around the text).
    const token = /^Unexpected token '(.+?)', .* is not valid JSON$/s.exec(message);
    if (token) {
      reason = `Unexpected token ${JSON.stringify(token[1])}`;
      offset = firstOutsideStrings(text, token[1]!) ?? offset;
    } else if (reason.includes("is not valid JSON")) {
      reason = "Unexpected input";
    }
    const { line, column } = lineAndColumn(text, offset);
    return {
      ok: false,
      error: `invalid JSON at line ${line}, column ${column}: ${reason.split("\n")[0]}`,
    };
  }
}

/** The offset of the first `token` outside JSON string literals. */
function firstOutsideStrings(text: string, token: string): number | undefined {
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (text.startsWith(token, i)) {
      return i;
    } else if (c === '"') {
      inString = true;
    }
  }
  return undefined;
}

/** The known conffile key closest to `key`, when it is close enough to be a likely typo. */
export function closestKey(key: string): string | undefined {
  return nearestName(key, KNOWN_KEYS);
}

/**
 * Turns the text of a conffile into raw values by setting.
 *
 * @param text The file's content.
 * @param path The file's path, used in messages.
 */
export function parseConffile(text: string, filePath: string): ConffileLayer {
  const path = showText(filePath);
  const layer: ConffileLayer = { values: new Map(), problems: [], warnings: [] };
  // Editors on Windows start UTF-8 files with a byte-order mark; JSON.parse refuses it.
  const parsed = parseJsonWithPosition(text.replace(/^\uFEFF/, ""));
  if (!parsed.ok) {
    layer.problems.push(`conffile ${path}: ${parsed.error}`);
    return layer;
  }
  const doc = parsed.value;
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    layer.problems.push(`conffile ${path}: expected a JSON object at the top level`);
    return layer;
  }
  const seen = new Map<SettingKey, string>();
  for (const [key, raw] of Object.entries(doc)) {
    const target = KEY_TO_SETTING.get(key.toLowerCase());
    if (!target) {
      unknownKey(layer, path, key);
      continue;
    }
    const earlier = seen.get(target.key);
    if (earlier !== undefined) {
      layer.problems.push(
        `conffile ${path}: keys "${earlier}" and "${key}" set the same setting; keep one`,
      );
      continue;
    }
    seen.set(target.key, key);
    if (raw === null) continue;
    layer.values.set(target.key, { raw, origin: `conffile ${path} key "${key}"` });
  }
  return layer;
}

function unknownKey(layer: ConffileLayer, path: string, key: string): void {
  if (IGNORED_CONFFILE_KEYS.some((k) => k.toLowerCase() === key.toLowerCase())) {
    layer.warnings.push(
      `conffile ${path}: key ${showKey(key)} of the original amp-pilot is ignored`,
    );
    return;
  }
  const suggestion = closestKey(key);
  layer.problems.push(
    `conffile ${path}: unknown key ${showKey(key)}` +
      (suggestion ? `; did you mean "${suggestion}"?` : "; see `amp-pilot check --help`"),
  );
}

/** A key as the user wrote it, quoted, escaped and shortened. */
function showKey(key: string): string {
  return JSON.stringify(key.length > 60 ? `${key.slice(0, 60)}…` : key);
}
