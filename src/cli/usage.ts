/**
 * Help texts of the command line.
 *
 * @module
 */

import { COMMAND_WORDS, type CommandName } from "./args.ts";

const GENERAL =
  `amp-pilot: container entrypoint that runs an application (the mate), starts it once its
dependencies are healthy in Consul, registers it, stops it when a dependency fails, and routes
signals to it. Without a Consul address it runs the mate transparently.

Usage:
  amp-pilot command args…              run "command args…" as the mate (like tini)
  amp-pilot [run] [--] command args…   the same; -- is needed when the mate's name is one of
                                       amp-pilot's commands (amp-pilot -- check) or starts with -
  amp-pilot check [--json] [[--] command args…]
                                       validate and print the effective configuration
  amp-pilot health                     exit 0 when this container's mate is ready (HEALTHCHECK)
  amp-pilot graph [--dot|--mermaid]    print the system's dependency graph, read from Consul
  amp-pilot status [--json]            what this container's pilot is doing; exit 0 while it runs
  amp-pilot maintenance on [reason]    put this container's instance in Consul maintenance
  amp-pilot maintenance off            take it out again (the mate keeps running either way)
  amp-pilot version                    print the version
  amp-pilot <command> --help           help of one command

Everything from the mate's command on is the mate's, options included: amp-pilot /app --help
runs "/app --help"; amp-pilot's own options (--help, --version, check --json) come before it.
A first argument that is one of amp-pilot's command words is never the mate's:
  ${COMMAND_WORDS.join(", ")}

The configuration comes from the environment (CONSUL, SERVICE_NAME, AMPPILOT_LAUNCH_CMD,
DEPENDENCIES, …) and an optional JSON conffile named by AMPPILOT_CONFFILE; see \`amp-pilot check
--help\` for every setting. Exit code 2 means a configuration error.`;

const RUN = `Usage: amp-pilot [run] [--] command args…
       amp-pilot [run]                 (the command from AMPPILOT_LAUNCH_CMD or the conffile)

Runs the mate. A command on the command line replaces AMPPILOT_LAUNCH_CMD; it is run as an argv,
never through a shell. Write -- before it when its name is one of amp-pilot's command words
(amp-pilot --help lists them) or starts with -. The pilot's options (--help) come before the
command; everything from the command on is the mate's. The pilot exits with the mate's exit code
(128+n when a signal killed it), 2 on a configuration error, 127/126 when the
command does not exist or cannot be executed.`;

const CHECK = `Usage: amp-pilot check [--json] [[--] command args…]

Validates the configuration and prints each effective value with where it came from (default,
loader, conffile, env, cli). Secrets are redacted. Exit 0 when the configuration is valid, 2
with one line per problem otherwise.

Options:
  --json   print one JSON object instead of a table`;

const HEALTH = `Usage: amp-pilot health

Exits 0 when the pilot running in this container reports its mate ready (registered and passing
in Consul; in direct mode: running) and its status file is fresh, 1 otherwise, printing one line
why. The pilot keeps the file current; it is found as run finds it: AMPPILOT_STATUSFILE, else the
conffile's StatusFile (AMPPILOT_CONFFILE), else /tmp/amp-pilot.status.json.
For a Dockerfile: HEALTHCHECK CMD ["/bin/amp-pilot", "health"]`;

const GRAPH = `Usage: amp-pilot graph [--dot | --mermaid]

Reads every service in Consul (CONSUL or CONSUL_HTTP_ADDR, default 127.0.0.1:8500; the token in
CONSUL_HTTP_TOKEN or CONSUL_HTTP_TOKEN_FILE) and the dependencies each pilot publishes in its
registration's Meta, and prints one line per service: its state (healthy, unhealthy, not
registered; instances passing), and what it depends on. A cycle (web → api → web) is named.
Exit 0 when printed, 1 when Consul could not be read, 2 on a bad setting.

Options:
  --dot       Graphviz (dot -Tsvg); dashed edges: needed only at startup
  --mermaid   Mermaid (graph TD); dotted edges: needed only at startup`;

const STATUS = `Usage: amp-pilot status [--json]

Prints what the pilot running in this container is doing, from its status file: the phase, each
dependency's health and since when, the mate's pid, start count and last exit, the instance in
Consul and the last Consul error. Exits 0 while the pilot runs (its status is fresh and it has
not exited), 1 otherwise. The status file is found as for health.

Options:
  --json   print the status file's content, with "running" and "line", as JSON`;

const MAINTENANCE = `Usage: amp-pilot maintenance on [reason…]
       amp-pilot maintenance off

Puts this container's instance in (or out of) Consul's maintenance mode: Consul adds a critical
check with the reason, so the instance leaves every passing query, while the pilot keeps
heart-beating and the mate keeps running. It lasts until the pilot deregisters the instance (a
dependency lost, the mate restarted, the pilot stopped): Consul drops the maintenance with it, and
the next registration is out of maintenance. The instance and Consul's address come from the
status file (CONSUL, when set, overrides the address); the ACL token and TLS files come from this
command's environment (CONSUL_HTTP_TOKEN…), as for run: the status file never holds the token.
Exits 0 when Consul took it, 1 when no pilot runs or Consul refused, 2 on a configuration error.`;

const VERSION = `Usage: amp-pilot version

Prints the version of amp-pilot.`;

const TEXTS: Record<CommandName, string> = {
  run: RUN,
  check: CHECK,
  health: HEALTH,
  status: STATUS,
  maintenance: MAINTENANCE,
  version: VERSION,
  graph: GRAPH,
};

/** The help text of `command`, or the general help. */
export function usage(command: CommandName | undefined): string {
  return command ? TEXTS[command] : GENERAL;
}
