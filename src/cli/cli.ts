/**
 * The command line behind `main.ts`: dispatches sub-commands and turns outcomes into exit codes.
 *
 * @module
 */

import { parseCommandLine } from "./args.ts";
import { usage } from "./usage.ts";
import { permissionProblem } from "./permissions.ts";
import { commandTypo } from "./command_typo.ts";
import type { Environment } from "../config/env.ts";
import type { SignalTrap } from "../signals/early_trap.ts";
import { VERSION } from "../version.ts";
import { writeAllSync } from "../log/write_all.ts";

/** What the command line needs from its surroundings. */
export interface CliContext {
  /** The environment. */
  readonly env: Environment;
  /** The signal listeners installed by `main.ts`. */
  readonly trap?: SignalTrap;
  /** Writes to stdout (default: the process's stdout). */
  readonly out?: (text: string) => void;
  /** Writes to stderr (default: the process's stderr). */
  readonly err?: (text: string) => void;
}

/** Exit code of a usage error. */
export const USAGE_EXIT_CODE = 2;

/**
 * Runs the command line and returns the exit code.
 *
 * @param argv Arguments without the program name.
 * @param context Environment, signal trap and output.
 */
export async function runCli(argv: readonly string[], context: CliContext): Promise<number> {
  const out = context.out ?? ((t: string) => writeAllSync(Deno.stdout, t));
  const err = context.err ?? ((t: string) => writeAllSync(Deno.stderr, t));
  try {
    return await dispatch(argv, context, out, err);
  } catch (e) {
    // Whoever read the output went away (`amp-pilot check | grep -q …`): as a program that
    // SIGPIPE ends, without a word.
    if (e instanceof Deno.errors.BrokenPipe) return BROKEN_PIPE_EXIT_CODE;
    // A defect of amp-pilot: one line that says so, not a stack trace.
    const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    try {
      err(`amp-pilot: internal error (please report it): ${what.split("\n")[0]}\n`);
    } catch {
      // stderr is gone too: the exit code says it
    }
    return INTERNAL_ERROR_EXIT_CODE;
  }
}

/** The exit code of an internal error (EX_SOFTWARE). */
export const INTERNAL_ERROR_EXIT_CODE = 70;

/** The exit code when the output's reader went away: 128 + SIGPIPE, as a shell reports it. */
export const BROKEN_PIPE_EXIT_CODE = 141;

async function dispatch(
  argv: readonly string[],
  context: CliContext,
  out: (text: string) => void,
  err: (text: string) => void,
): Promise<number> {
  const parsed = parseCommandLine(argv);
  switch (parsed.kind) {
    case "error":
      err(`amp-pilot: ${parsed.message}\n\n${usage(parsed.command)}\n`);
      return USAGE_EXIT_CODE;
    case "help":
      out(`${usage(parsed.command)}\n${await helpExtra(parsed.command)}`);
      return 0;
  }
  const denied = parsed.command === "version" ? undefined : permissionProblem();
  if (denied) {
    err(`${denied}\n`);
    return USAGE_EXIT_CODE;
  }
  const typo = argv[0] === parsed.mateArgs[0] && argv[0] !== undefined
    ? await commandTypo(argv[0], context.env.PATH)
    : undefined;
  if (typo) {
    err(`amp-pilot: ${typo}\n\n${usage(undefined)}\n`);
    return USAGE_EXIT_CODE;
  }
  switch (parsed.command) {
    case "version":
      out(`amp-pilot ${VERSION} (deno ${Deno.version.deno})\n`);
      return 0;
    case "health": {
      // Not a literal specifier: Deno would read the module and its imports at start (issue #14).
      const { runHealth } =
        await (import(String("./health.ts")) as Promise<typeof import("./health.ts")>);
      return await runHealth(context.env, out);
    }
    case "status": {
      const { runStatus } =
        await (import(String("./status.ts")) as Promise<typeof import("./status.ts")>);
      return await runStatus({ env: context.env, json: parsed.json, out });
    }
    case "maintenance": {
      const { runMaintenance } =
        await (import(String("./maintenance.ts")) as Promise<typeof import("./maintenance.ts")>);
      return await runMaintenance({ env: context.env, words: parsed.words ?? [], out, err });
    }
    case "check": {
      const { runCheck } =
        await (import(String("./check.ts")) as Promise<typeof import("./check.ts")>);
      return await runCheck({
        env: context.env,
        mateArgs: parsed.mateArgs,
        json: parsed.json,
        out,
        err,
      });
    }
    case "graph": {
      const { runGraph } =
        await (import(String("./graph.ts")) as Promise<typeof import("./graph.ts")>);
      return await runGraph({ env: context.env, format: parsed.graphFormat ?? "text", out, err });
    }
    case "run": {
      const { runCommand } =
        await (import(String("./run.ts")) as Promise<typeof import("./run.ts")>);
      return await runCommand({
        env: context.env,
        mateArgs: parsed.mateArgs,
        signals: context.trap,
        err,
      });
    }
  }
}

async function helpExtra(command: string | undefined): Promise<string> {
  if (command !== "check") return "";
  // Literal: help needs no permission, and a non-literal import would need --allow-read.
  const { settingsReference } = await import("./check_report.ts");
  return `\n${settingsReference()}\n`;
}
