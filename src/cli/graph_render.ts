/**
 * The system's dependency graph, as `amp-pilot graph` prints it: plain text, Graphviz (`--dot`)
 * or Mermaid (`--mermaid`).
 *
 * @module
 */

import type { PublishedDependency } from "../consul/dependency_meta.ts";

/** One service of the graph and its state in Consul. */
export interface GraphService {
  /** Service name. */
  readonly name: string;
  /** Instances passing every check (their node's included). */
  readonly passing: number;
  /** Instances registered. */
  readonly instances: number;
  /** The dependencies its pilots publish; `undefined`: not run by a pilot that says. */
  readonly dependencies: readonly PublishedDependency[] | undefined;
}

/** Output formats. */
export type GraphFormat = "text" | "dot" | "mermaid";

/** The state of a service in a few words. */
export function serviceState(s: GraphService): string {
  if (s.instances === 0) return "not registered";
  const state = s.passing > 0 ? "healthy" : "unhealthy";
  return `${state}, ${s.passing}/${s.instances} passing`;
}

/** Renders the graph; `cycles` are named in every format. */
export function renderGraph(
  services: readonly GraphService[],
  cycles: readonly (readonly string[])[],
  format: GraphFormat,
): string {
  switch (format) {
    case "text":
      return renderText(services, cycles);
    case "dot":
      return renderDot(services, cycles);
    case "mermaid":
      return renderMermaid(services, cycles);
  }
}

/** Characters that would move the cursor, colour the terminal or start a line of their own. */
const CONTROL = /[\p{Cc}\u2028\u2029]/u;

/**
 * A name as Consul gave it, quoted JSON-style when it holds a control character: any client of
 * Consul can register a name or Meta that would otherwise write escape codes or fake lines.
 */
function shown(name: string): string {
  return CONTROL.test(name) ? JSON.stringify(name) : name;
}

function depLabel(d: PublishedDependency): string {
  return d.onlyAtStartup ? `${shown(d.name)} (only at startup)` : shown(d.name);
}

function renderText(services: readonly GraphService[], cycles: readonly (readonly string[])[]) {
  const lines = services.map((s) => {
    const deps = s.dependencies && s.dependencies.length > 0
      ? ` → ${s.dependencies.map(depLabel).join(", ")}`
      : "";
    return `${shown(s.name)} (${serviceState(s)})${deps}`;
  });
  for (const cycle of cycles) lines.push(`cycle: ${cycle.map(shown).join(" → ")}`);
  return `${lines.join("\n")}\n`;
}

function quoted(text: string): string {
  return JSON.stringify(text);
}

function renderDot(services: readonly GraphService[], cycles: readonly (readonly string[])[]) {
  const lines = ["digraph amp_pilot {"];
  for (const s of services) {
    const color = s.instances === 0 ? "gray" : s.passing > 0 ? "darkgreen" : "red";
    lines.push(
      `  ${quoted(s.name)} [label=${quoted(`${s.name}\n${serviceState(s)}`)} color=${color}];`,
    );
    for (const d of s.dependencies ?? []) {
      lines.push(
        `  ${quoted(s.name)} -> ${quoted(d.name)}${d.onlyAtStartup ? " [style=dashed]" : ""};`,
      );
    }
  }
  for (const cycle of cycles) lines.push(`  // cycle: ${cycle.map(shown).join(" -> ")}`);
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

function renderMermaid(services: readonly GraphService[], cycles: readonly (readonly string[])[]) {
  const ids = new Map(services.map((s, i) => [s.name, `s${i}`]));
  const id = (name: string) => ids.get(name) ?? `s${ids.size}`;
  const label = (text: string) => `"${shown(text).replaceAll('"', "#quot;")}"`;
  const lines = ["graph TD"];
  for (const s of services) {
    lines.push(`  ${id(s.name)}[${label(`${s.name}: ${serviceState(s)}`)}]`);
  }
  for (const s of services) {
    for (const d of s.dependencies ?? []) {
      lines.push(`  ${id(s.name)} ${d.onlyAtStartup ? "-.->" : "-->"} ${id(d.name)}`);
    }
  }
  for (const cycle of cycles) lines.push(`  %% cycle: ${cycle.map(shown).join(" -> ")}`);
  return `${lines.join("\n")}\n`;
}
