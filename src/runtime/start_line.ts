/**
 * The pilot's first info line and the words it uses for the instance: what an operator needs to
 * see at a glance (mode, Consul address without its password, service, dependencies, Kafka).
 *
 * @module
 */

import type { ConsulAddress, PilotConfig } from "../config/types.ts";
import { redactUrlCredentials } from "../config/redact.ts";

/** Consul's address for a person, any password hidden. */
export function showConsulAddress(address: ConsulAddress): string {
  return address.kind === "unix" ? `unix://${address.path}` : redactUrlCredentials(address.baseUrl);
}

/** A listening address as `host:port`, an IPv6 host in brackets. */
export function showListenAddress(a: { readonly hostname: string; readonly port: number }): string {
  return `${a.hostname.includes(":") ? `[${a.hostname}]` : a.hostname}:${a.port}`;
}

/**
 * The address:port sent to Consul, an IPv6 address in brackets; without an IP, Consul uses the
 * agent's address.
 */
export function registeredAddress(
  config: Pick<PilotConfig, "registeredPort">,
  ip: string | undefined,
): string {
  if (ip === undefined) return `the agent's address:${config.registeredPort}`;
  return showListenAddress({ hostname: ip, port: config.registeredPort });
}

/** The one line the pilot logs at its start. */
export function startLine(
  config: PilotConfig,
  options: { readonly loaderMode?: boolean; readonly registeredIp?: string },
): string {
  // "off" names no Kafka: a pilot without it never mentions it.
  const kafka = config.kafka ? "logs shipped to Kafka" : "log shipping off";
  if (!config.consul) return `amp-pilot starting in direct mode (no Consul); ${kafka}`;
  const mode = options.loaderMode ? "loader mode" : "Consul mode";
  const deps = config.dependencies.length === 0
    ? "no dependencies"
    : `dependencies ${config.dependencies.map((d) => d.name).join(", ")}`;
  const timeout = config.startupTimeoutMs === undefined
    ? ""
    : `, startup timeout ${config.startupTimeoutMs / 1000} s`;
  return `amp-pilot starting in ${mode}: Consul ${showConsulAddress(config.consul)}, ` +
    `service ${config.name ?? config.serviceId} as ${config.serviceId} at ` +
    `${registeredAddress(config, options.registeredIp)}, ${deps}${timeout}; ${kafka}`;
}
