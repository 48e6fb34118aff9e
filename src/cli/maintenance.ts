/**
 * `amp-pilot maintenance on [reason]` / `off`: puts this container's instance in or out of
 * Consul's maintenance mode. The instance and Consul's address come from the status file; the
 * token (never in the file) and the TLS files come from this command's own environment, as for
 * `run`. The pilot keeps heart-beating and the mate keeps running: maintenance is a separate
 * critical check that Consul adds and removes (and drops when the pilot deregisters the instance).
 *
 * @module
 */

import type { Environment } from "../config/env.ts";
import { envValue } from "../config/env.ts";
import { readToken } from "../config/load.ts";
import { readConsulTls } from "../config/consul_tls.ts";
import { readBoundedTextFile } from "../config/read_file.ts";
import { REDACTED, redactValue } from "../config/redact.ts";
import { consulAddress } from "../config/values.ts";
import type { ConsulAddress } from "../config/types.ts";
import { ConsulClient } from "../consul/client.ts";
import { ConsulError } from "../consul/errors.ts";
import { readStatusReport } from "./status.ts";

/** How long the command waits for Consul (ms). */
const MAINTENANCE_TIMEOUT_MS = 5_000;

/** Inputs of {@linkcode runMaintenance}. */
export interface MaintenanceOptions {
  /** The environment (status file, token, TLS, and optionally `CONSUL`). */
  readonly env: Environment;
  /** `["on", …reason]` or `["off"]`. */
  readonly words: readonly string[];
  /** Writes to stdout. */
  readonly out: (text: string) => void;
  /** Writes to stderr. */
  readonly err: (text: string) => void;
}

/** The instance and Consul's address, or why they are not known. */
type Target =
  | { readonly ok: true; readonly serviceId: string; readonly address: ConsulAddress }
  | { readonly ok: false; readonly code: number; readonly problem: string };

/** Runs the command; returns the exit code (0 done, 1 Consul or the pilot said no, 2 usage). */
export async function runMaintenance(options: MaintenanceOptions): Promise<number> {
  const fail = (code: number, problem: string) => {
    options.err(`amp-pilot maintenance: ${problem}\n`);
    return code;
  };
  const enable = options.words[0] === "on";
  const reason = options.words.slice(1).join(" ");
  const target = await findTarget(options.env);
  if (!target.ok) return fail(target.code, target.problem);
  const problems: string[] = [];
  const token = await readToken(options.env, readBoundedTextFile, problems);
  const tls = await readConsulTls(
    options.env,
    target.address,
    readBoundedTextFile,
    problems,
    [],
  );
  if (problems.length > 0) return fail(2, problems.join("; "));
  const client = new ConsulClient({
    address: target.address,
    token: token?.value,
    tls: tls?.value,
    timeoutMs: MAINTENANCE_TIMEOUT_MS,
  });
  try {
    await client.setServiceMaintenance(target.serviceId, enable, reason);
  } catch (e) {
    if (e instanceof ConsulError) return fail(1, e.message);
    throw e;
  } finally {
    client.close();
  }
  options.out(
    enable
      ? `amp-pilot maintenance: ${target.serviceId} is in maintenance` +
        `${reason ? ` (${reason})` : ""}; the mate keeps running\n`
      : `amp-pilot maintenance: ${target.serviceId} is out of maintenance\n`,
  );
  return 0;
}

/** The instance from the status file; Consul's address from `CONSUL` when set, else the file. */
async function findTarget(env: Environment): Promise<Target> {
  const { report } = await readStatusReport(env);
  if (!report.running) return { ok: false, code: 1, problem: `no running pilot: ${report.line}` };
  const registration = report.status?.registration;
  if (!registration) {
    return { ok: false, code: 1, problem: "the pilot runs in direct mode: no instance in Consul" };
  }
  const fromEnv = envValue(env, "CONSUL") ?? envValue(env, "CONSUL_HTTP_ADDR");
  const raw = fromEnv ?? registration.consul;
  if (fromEnv === undefined && raw.includes(REDACTED)) {
    return {
      ok: false,
      code: 2,
      problem:
        "the status file hides the password in Consul's address; set CONSUL for this command",
    };
  }
  const address = consulAddress.tryParse(raw);
  if (!address.ok) {
    return {
      ok: false,
      code: 2,
      problem: `Consul address ${redactValue("consul", raw)}: ${address.expected}`,
    };
  }
  return { ok: true, serviceId: registration.serviceId, address: address.value };
}
