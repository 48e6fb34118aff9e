/**
 * Log calls whose text and JSON lines are pinned in `tests/fixtures/log/lines.json`, recorded
 * from LogTape 2.4.2 (`getTextFormatter({ timestamp: "date-time-timezone", category: ".", value:
 * "bare" })`) before the pilot's own logger replaced it.
 *
 * @module
 */

import type { PilotLogLevel } from "../../src/config/types.ts";

/** One pinned log call. */
export interface FormatCase {
  /** Key in the fixture file. */
  readonly name: string;
  /** Sub-category (`pilotLogger(part)`), none for the root. */
  readonly part?: string;
  /** Level of the call. */
  readonly level: PilotLogLevel;
  /** Message template. */
  readonly message: string;
  /** Properties, built afresh for each use. */
  readonly properties?: () => Record<string, unknown>;
}

/** The timestamp every pinned line carries (2026-12-02 03:04:05.006 UTC). */
export const FIXED_TIMESTAMP = Date.UTC(2026, 11, 2, 3, 4, 5, 6);

function fixedError(): Error {
  const error = new Error("connection refused");
  error.stack = "Error: connection refused\n    at connect (file:///app/consul.ts:1:1)";
  return error;
}

/** The pinned calls. */
export const FORMAT_CASES: readonly FormatCase[] = [
  {
    name: "template",
    part: "consul",
    level: "info",
    message: "{name} is up",
    properties: () => ({ name: "db" }),
  },
  { name: "plain", level: "info", message: "amp-pilot starting in direct mode" },
  {
    name: "plain with properties",
    part: "x",
    level: "debug",
    message: "no placeholder",
    properties: () => ({ a: 1 }),
  },
  { name: "trace", part: "t", level: "trace", message: "tick {n}", properties: () => ({ n: 1 }) },
  {
    name: "warning",
    part: "w",
    level: "warning",
    message: "slow {ms} ms",
    properties: () => ({ ms: 12.5 }),
  },
  {
    name: "error",
    part: "e",
    level: "error",
    message: "failed: {error}",
    properties: () => ({ error: fixedError() }),
  },
  {
    name: "fatal",
    level: "fatal",
    message: "giving up after {n} tries",
    properties: () => ({ n: 3 }),
  },
  {
    name: "scalars",
    part: "s",
    level: "info",
    message: "{t} {f} {nul} {undef} {missing} {big} {neg} {nan}",
    properties: () => ({
      t: true,
      f: false,
      nul: null,
      undef: undefined,
      big: 12n,
      neg: -0,
      nan: NaN,
    }),
  },
  {
    name: "objects",
    part: "o",
    level: "info",
    message: "obj {o} arr {a} deep {d} map {m} set {s} date {dt}",
    properties: () => ({
      o: { a: 1, b: "x y", c: [1, 2] },
      a: [1, "two", { three: 3 }],
      d: { l1: { l2: { l3: { l4: { l5: "deep" } } } } },
      m: new Map([["k", 1]]),
      s: new Set(["v"]),
      dt: new Date(FIXED_TIMESTAMP),
    }),
  },
  {
    name: "long values",
    part: "o",
    level: "info",
    message: "long {s} {a}",
    properties: () => ({
      s: { text: "x".repeat(150) },
      a: Array.from({ length: 120 }, (_, i) => i),
    }),
  },
  {
    name: "control characters in a value",
    part: "c",
    level: "warning",
    message: "mate said {line}",
    properties: () => ({ line: "a\nb\rc\td\x1b[31mred\x1b[0m\x07bell\x7fdel\u0085nel" }),
  },
  {
    name: "control characters in an object",
    part: "c",
    level: "warning",
    message: "mate said {o}",
    properties: () => ({ o: { line: "a\nb\x1b[31m" } }),
  },
  {
    name: "control characters in the template",
    part: "c",
    level: "info",
    message: "two\nlines\ttab \x1b[1mbold\x1b[0m \x1b[1mopen \x07 {v}",
    properties: () => ({ v: 1 }),
  },
  {
    name: "braces",
    part: "b",
    level: "info",
    message: "{{literal}} { spaced } {*} {unclosed",
    properties: () => ({ " spaced ": "kept", spaced: "trimmed" }),
  },
  {
    name: "trimmed key",
    part: "b",
    level: "info",
    message: "{ key } and {*}",
    properties: () => ({ key: "k", "*": "star" }),
  },
  {
    name: "many placeholders",
    part: "m",
    level: "info",
    message: "{a}-{b}-{c}-{d}-{e}.",
    properties: () => ({ a: "1", b: 2, c: "3", d: [4], e: "5" }),
  },
  { name: "empty", part: "m", level: "info", message: "" },
  {
    name: "unicode",
    part: "u",
    level: "info",
    message: "héllo {w} ✓",
    properties: () => ({ w: "wörld 😀" }),
  },
  {
    name: "symbol and function",
    part: "u",
    level: "info",
    message: "{sym} {fn}",
    properties: () => ({ sym: Symbol("s"), fn: function named() {} }),
  },
];
