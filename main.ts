/**
 * The amp-pilot command line. Signal listeners are registered before anything else is loaded:
 * Deno as PID 1 crashes on SIGTERM/SIGINT/SIGHUP without one.
 *
 * @module
 */

import { SignalTrap } from "./src/signals/early_trap.ts";

if (import.meta.main) {
  const trap = new SignalTrap();
  // A literal specifier: `version` and `--help` must load without --allow-read.
  const { runCli } = await import("./src/cli/cli.ts");
  // Without --allow-env, runCli names every missing permission flag in one line.
  const envGranted = Deno.permissions.querySync({ name: "env" }).state === "granted";
  const code = await runCli(Deno.args, { env: envGranted ? Deno.env.toObject() : {}, trap });
  Deno.exit(code);
}
