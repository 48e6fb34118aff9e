/**
 * Defaults the loader derives from the pilot's own container and its image (SPEC §7), as raw
 * values for the configuration's "loader" source: explicit environment and conffile win.
 *
 * @module
 */

import type { ContainerInfo, ImageInfo } from "./engine.ts";

/** Raw loader values, by setting, plus what the Kafka records carry. */
export interface LoaderDefaults {
  /** Values for the configuration (setting → raw value). */
  readonly values: Record<string, unknown>;
  /** Full container id. */
  readonly containerId: string;
  /** Swarm node id, when the container is a swarm task. */
  readonly nodeId: string;
}

/** Consul's address when the environment does not give one (the seed's default). */
export const LOADER_CONSUL_DEFAULT = "consul:8500";
/** Kafka's address when the environment does not give one (the seed's README). */
export const LOADER_KAFKA_DEFAULT = "zookeeper:2181";

/**
 * The launch command: the image's Entrypoint followed by its Cmd, or by the arguments given
 * to the loader, which replace the Cmd.
 */
export function launchCommand(image: ImageInfo, args: readonly string[]): string[] | undefined {
  const entrypoint = image.Config?.Entrypoint ?? [];
  const cmd = args.length > 0 ? [...args] : image.Config?.Cmd ?? [];
  const argv = [...entrypoint, ...cmd];
  return argv.length > 0 ? argv : undefined;
}

/**
 * A `HEALTHCHECK` test as a ready command argv (`NONE` and empty tests give none). amp-pilot's
 * own `health` gives none either: it reports the pilot's readiness, which waits for the ready
 * command, so as the ready command it could never pass.
 */
export function healthcheckCommand(test: readonly string[] | undefined): string[] | undefined {
  if (!test || test.length === 0) return undefined;
  const [kind, ...rest] = test;
  if (kind === "CMD" && rest.length > 0) return isOwnHealth(rest) ? undefined : rest;
  if (kind === "CMD-SHELL" && rest.length > 0) {
    const script = rest.join(" ");
    return OWN_HEALTH_SHELL.test(script) ? undefined : ["/bin/sh", "-c", script];
  }
  return undefined;
}

/** `amp-pilot health` (any path, any suffix such as `amp-pilot-linux-x64`) in a shell line. */
const OWN_HEALTH_SHELL = /(^|[\s/;&|(])amp-pilot[\w.-]*["']?\s+health\b/;

/** An argv that runs `amp-pilot health` (also through `deno run …/main.ts health`). */
function isOwnHealth(argv: readonly string[]): boolean {
  const at = argv.findIndex((arg) => /^amp-pilot[\w.-]*$/.test(arg.split("/").at(-1) ?? ""));
  return at >= 0 && argv[at + 1] === "health";
}

/** The first exposed TCP port (`"8080/tcp"` → 8080). */
export function exposedPort(ports: Record<string, unknown> | null | undefined): number | undefined {
  const tcp = Object.keys(ports ?? {})
    .map((p) => /^(\d+)(?:\/tcp)?$/.exec(p)?.[1])
    .filter((p): p is string => p !== undefined)
    .map(Number)
    .filter((p) => p >= 1 && p <= 65535)
    .sort((a, b) => a - b);
  return tcp[0];
}

/** Derives the loader's values from the container and image. */
export function loaderDefaults(
  container: ContainerInfo,
  image: ImageInfo,
  args: readonly string[],
): LoaderDefaults {
  const labels = container.Config?.Labels ?? {};
  const values: Record<string, unknown> = {
    consul: LOADER_CONSUL_DEFAULT,
    kafka: LOADER_KAFKA_DEFAULT,
  };
  const name = labels["com.docker.swarm.service.name"];
  if (name) values.name = name;
  const cmd = launchCommand(image, args);
  if (cmd) values.cmd = cmd;
  const port = exposedPort(container.Config?.ExposedPorts) ??
    exposedPort(image.Config?.ExposedPorts);
  if (port !== undefined) values.registeredPort = port;
  const ready = healthcheckCommand(
    container.Config?.Healthcheck?.Test ?? image.Config?.Healthcheck?.Test,
  );
  if (ready) values.cmdReady = ready;
  return { values, containerId: container.Id, nodeId: labels["com.docker.swarm.node.id"] ?? "" };
}
