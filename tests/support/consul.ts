/**
 * A real Consul agent for tests: a testcontainer of `hashicorp/consul:<version>` when a Docker
 * engine is reachable, a plain `consul agent -dev` process otherwise.
 * `AMP_PILOT_CONSUL_MODE=container|process` forces either way. A test that asks for Consul and
 * cannot get one fails with the reason; it never skips.
 *
 * @module
 */

import { freePorts } from "./ports.ts";

/** Version of the agent the tests use (the newest MPL-2.0 release). */
export const CONSUL_VERSION = "1.16.3";

/** The official image name; built locally by `deno task peers` where nothing can be pulled. */
export const CONSUL_IMAGE = `hashicorp/consul:${CONSUL_VERSION}`;

/** A running agent. */
export interface ConsulAgent extends AsyncDisposable {
  /** `127.0.0.1:<http port>`. */
  readonly address: string;
  /** HTTP port. */
  readonly httpPort: number;
  /** How it runs. */
  readonly mode: "container" | "process";
  /** The management token, when ACLs are on. */
  readonly masterToken: string | undefined;
  /** The unix socket of the HTTP API, when asked for. */
  readonly socketPath: string | undefined;
  /** With the `tls` option: the HTTPS API's address and the files a client needs. */
  readonly tls: ConsulTlsFiles | undefined;
  /** Stops the agent, keeping its ports for a restart (a dev agent loses its state). */
  stop(): Promise<void>;
  /** Starts it again on the same ports after {@linkcode stop}. */
  restart(): Promise<void>;
}

/** Options of {@linkcode startConsul}. */
export interface ConsulOptions {
  /** Turn ACLs on with default policy deny and a known management token. */
  readonly acl?: boolean;
  /** Also serve the HTTP API on a unix socket (its path is in `socketPath`). */
  readonly unixSocket?: boolean;
  /** A fixed HTTP port (e.g. 8500, the default `consul:8500` of loader mode). */
  readonly httpPort?: number;
  /**
   * Also serve the HTTP API over TLS, with a CA and certificates made by `consul tls`;
   * `mutual` makes the agent require a client certificate on it.
   */
  readonly tls?: "server" | "mutual";
  /**
   * `false`: blocking health queries take Consul's RPC path (`use_streaming_backend = false`)
   * instead of the streaming backend, the default since 1.10.
   */
  readonly streamingBackend?: boolean;
}

/** The HTTPS side of an agent started with the `tls` option. */
export interface ConsulTlsFiles {
  /** `https://127.0.0.1:<port>`. */
  readonly address: string;
  /** The CA's certificate (PEM file). */
  readonly caFile: string;
  /** A client certificate the CA signed, and its key (PEM files). */
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
}

/** Makes a CA and a server and client certificate with the agent's own `consul tls`. */
async function makeTlsFiles(dir: string): Promise<Omit<ConsulTlsFiles, "address">> {
  for (
    const args of [["ca", "create"], ["cert", "create", "-server"], ["cert", "create", "-client"]]
  ) {
    const { success, stderr } = await new Deno.Command(consulBinary(), {
      args: ["tls", ...args],
      cwd: dir,
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!success) {
      throw new Error(`consul tls ${args.join(" ")} failed: ${new TextDecoder().decode(stderr)}`);
    }
  }
  return {
    caFile: `${dir}/consul-agent-ca.pem`,
    clientCertFile: `${dir}/dc1-client-consul-0.pem`,
    clientKeyFile: `${dir}/dc1-client-consul-0-key.pem`,
  };
}

const LEADER_TIMEOUT_MS = 60_000;

/** The path of the agent binary: `$CONSUL_BIN`, or the one `deno task peers` built. */
export function consulBinary(): string {
  const fromEnv = Deno.env.get("CONSUL_BIN");
  if (fromEnv) return fromEnv;
  const cache = Deno.env.get("AMP_PILOT_CACHE") ?? `${Deno.env.get("HOME")}/.cache/amp-pilot`;
  return `${cache}/consul-${CONSUL_VERSION}/consul`;
}

async function dockerReachable(): Promise<boolean> {
  if (!Deno.env.get("DOCKER_HOST")) return false;
  try {
    const { success } = await new Deno.Command("docker", {
      args: ["version", "--format", "{{.Server.Version}}"],
      stdout: "null",
      stderr: "null",
    }).output();
    return success;
  } catch {
    return false;
  }
}

async function chooseMode(): Promise<"container" | "process"> {
  const forced = Deno.env.get("AMP_PILOT_CONSUL_MODE");
  if (forced === "container" || forced === "process") return forced;
  if (forced && forced !== "auto") {
    throw new Error(`AMP_PILOT_CONSUL_MODE=${forced}: expected container, process or auto`);
  }
  return await dockerReachable() ? "container" : "process";
}

function agentArgs(
  ports: number[],
  acl: boolean,
  token: string,
  socketPath: string | undefined,
  tls: { dir: string; mutual: boolean } | undefined,
  streamingBackend: boolean,
): string[] {
  const [http, dns, serfLan, serfWan, server, grpc, grpcTls, https] = ports;
  const args = [
    "agent",
    "-dev",
    "-bind=127.0.0.1",
    "-client=127.0.0.1",
    `-http-port=${http}`,
    `-dns-port=${dns}`,
    `-serf-lan-port=${serfLan}`,
    `-serf-wan-port=${serfWan}`,
    `-server-port=${server}`,
    `-grpc-port=${grpc}`,
    `-grpc-tls-port=${grpcTls}`,
    "-log-level=warn",
  ];
  if (!streamingBackend) args.push("-hcl", "use_streaming_backend = false");
  if (socketPath) args.push("-hcl", `addresses { http = "127.0.0.1 unix://${socketPath}" }`);
  if (tls) {
    args.push(
      "-hcl",
      `ports { https = ${https} }`,
      "-hcl",
      `tls { defaults { ca_file = "${tls.dir}/consul-agent-ca.pem" ` +
        `cert_file = "${tls.dir}/dc1-server-consul-0.pem" ` +
        `key_file = "${tls.dir}/dc1-server-consul-0-key.pem" ` +
        `verify_incoming = ${tls.mutual} } }`,
    );
  }
  if (acl) {
    args.push(
      "-hcl",
      `acl { enabled = true default_policy = "deny" tokens { initial_management = "${token}" agent = "${token}" } }`,
    );
  }
  return args;
}

/**
 * Starts a Consul dev agent on free loopback ports and waits until it has a leader.
 *
 * @throws {Error} When no agent can be started, with the reason and how to fix it.
 */
export async function startConsul(options: ConsulOptions = {}): Promise<ConsulAgent> {
  for (let attempt = 1;; attempt++) {
    try {
      return await startConsulOnce(options);
    } catch (e) {
      // Another process may take a port between the check and the agent's bind: try new ones.
      if (attempt >= 3 || !/address already in use/.test((e as Error).message)) throw e;
    }
  }
}

async function startConsulOnce(options: ConsulOptions): Promise<ConsulAgent> {
  const mode = await chooseMode();
  const ports = await freePorts(8);
  if (options.httpPort) ports[0] = options.httpPort;
  const token = options.acl ? crypto.randomUUID() : "";
  const socketDir = options.unixSocket || options.tls
    ? await Deno.makeTempDir({ prefix: "amp-pilot-consul-" })
    : undefined;
  const socketPath = options.unixSocket ? `${socketDir}/consul.sock` : undefined;
  const tlsFiles = options.tls && socketDir
    ? { ...(await makeTlsFiles(socketDir)), address: `https://127.0.0.1:${ports[7]}` }
    : undefined;
  const args = agentArgs(
    ports,
    options.acl ?? false,
    token,
    socketPath,
    options.tls && socketDir ? { dir: socketDir, mutual: options.tls === "mutual" } : undefined,
    options.streamingBackend ?? true,
  );
  const runner = mode === "container" ? containerRunner(args, socketDir) : processRunner(args);
  const dispose = async () => {
    await runner.stop();
    if (socketDir) await Deno.remove(socketDir, { recursive: true }).catch(() => {});
  };
  const httpPort = ports[0]!;
  const address = `127.0.0.1:${httpPort}`;
  await runner.start();
  try {
    await waitForLeader(address, runner, token || undefined);
  } catch (e) {
    await dispose();
    throw e;
  }
  const agent: ConsulAgent = {
    address,
    httpPort,
    mode,
    masterToken: options.acl ? token : undefined,
    socketPath,
    tls: tlsFiles,
    stop: () => runner.stop(),
    restart: async () => {
      await runner.start();
      await waitForLeader(address, runner, token || undefined);
    },
    [Symbol.asyncDispose]: dispose,
  };
  return agent;
}

interface Runner {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** A reason when the agent has already died, with its last output. */
  failure(): string | undefined;
}

function processRunner(args: string[]): Runner {
  const binary = consulBinary();
  let child: Deno.ChildProcess | undefined;
  let exited: Promise<Deno.CommandStatus> | undefined;
  let status: Deno.CommandStatus | undefined;
  let output = "";
  let drained: Promise<void> | undefined;
  return {
    start() {
      try {
        child = new Deno.Command(binary, { args, stdout: "piped", stderr: "piped" }).spawn();
      } catch (e) {
        throw new Error(
          `cannot start Consul from ${binary}: ${(e as Error).message}; ` +
            "run `deno task peers` (or set CONSUL_BIN) first",
        );
      }
      status = undefined;
      exited = child.status.then((s) => (status = s));
      const keep = (text: string) => (output = (output + text).slice(-4000));
      drained = Promise.all([drain(child.stdout, keep), drain(child.stderr, keep)]).then(() => {});
      return Promise.resolve();
    },
    async stop() {
      if (!child || !exited) return;
      if (!status) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => status || child?.kill("SIGKILL"), 5000);
        await exited;
        clearTimeout(timer);
      }
      await drained;
      child = undefined;
    },
    failure: () => status ? `Consul exited with ${status.code}: ${output}` : undefined,
  };
}

async function drain(stream: ReadableStream<Uint8Array>, keep: (text: string) => void) {
  const decoder = new TextDecoder();
  for await (const chunk of stream) keep(decoder.decode(chunk, { stream: true }));
}

/**
 * testcontainers, loaded when this module loads (before any test runs): importing it installs
 * process-wide signal listeners, which the sanitizers would otherwise blame on the first test.
 */
const testcontainers = await loadTestcontainersIfNeeded();

async function loadTestcontainersIfNeeded() {
  if (await chooseMode() !== "container") return undefined;
  // Ryuk's image cannot be pulled here, and there is no bridge network to look for the host on.
  for (
    const [name, value] of [
      ["TESTCONTAINERS_HOST_OVERRIDE", "127.0.0.1"],
      ["TESTCONTAINERS_RYUK_DISABLED", "true"],
    ] as const
  ) {
    if (!Deno.env.get(name)) Deno.env.set(name, value);
  }
  return await import("./testcontainers.ts");
}

function containerRunner(args: string[], shareDir: string | undefined): Runner {
  if (!testcontainers) throw new Error("testcontainers was not loaded: no Docker engine was found");
  const { GenericContainer, Wait } = testcontainers;
  type Started = Awaited<ReturnType<InstanceType<typeof GenericContainer>["start"]>>;
  let container: Started | undefined;
  return {
    async start() {
      try {
        let definition = new GenericContainer(CONSUL_IMAGE).withNetworkMode("host");
        if (shareDir) {
          definition = definition.withBindMounts([{ source: shareDir, target: shareDir }]);
        }
        container = await definition
          .withCommand(args)
          .withWaitStrategy(Wait.forLogMessage(/Log data will now stream in as it occurs/))
          .withStartupTimeout(LEADER_TIMEOUT_MS)
          .start();
      } catch (e) {
        throw new Error(
          `cannot start the Consul container ${CONSUL_IMAGE}: ${(e as Error).message}; ` +
            "run `deno task peers` with DOCKER_HOST set, or AMP_PILOT_CONSUL_MODE=process",
        );
      }
    },
    async stop() {
      await container?.stop({ timeout: 5_000 });
      container = undefined;
    },
    failure: () => undefined,
  };
}

/** Waits for a leader and, with ACLs, until the management token is accepted. */
async function waitForLeader(address: string, runner: Runner, token?: string): Promise<void> {
  const deadline = Date.now() + LEADER_TIMEOUT_MS;
  let last = "";
  while (Date.now() < deadline) {
    const failure = runner.failure();
    if (failure) throw new Error(failure);
    try {
      const response = await fetch(`http://${address}/v1/status/leader`);
      const leader = response.ok ? await response.json() : await response.text();
      if (
        typeof leader === "string" && leader !== "" && response.ok &&
        (!token || await tokenAccepted(address, token))
      ) {
        return;
      }
      last = `leader ${leader}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Consul at ${address} had no leader after ${LEADER_TIMEOUT_MS} ms (${last})`);
}

async function tokenAccepted(address: string, token: string): Promise<boolean> {
  const response = await fetch(`http://${address}/v1/acl/token/self`, {
    headers: { "X-Consul-Token": token },
  });
  await response.body?.cancel();
  return response.ok;
}

/** An ACL token made by {@linkcode createAclToken}. */
export interface AclToken {
  /** Its public id (to update or delete it). */
  readonly accessorId: string;
  /** The secret a client sends in `X-Consul-Token`. */
  readonly secretId: string;
}

/** The built-in anonymous token: what applies to a request without a token. */
export const ANONYMOUS_TOKEN_ID = "00000000-0000-0000-0000-000000000002";

async function aclCall(agent: ConsulAgent, method: string, path: string, body: unknown) {
  if (!agent.masterToken) throw new Error("the agent was started without acl: true");
  const response = await fetch(`http://${agent.address}${path}`, {
    method,
    headers: { "X-Consul-Token": agent.masterToken },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status}: ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** Creates an ACL policy named `name` with `rules` (HCL), using the management token. */
export async function createAclPolicy(
  agent: ConsulAgent,
  name: string,
  rules: string,
): Promise<void> {
  await aclCall(agent, "PUT", "/v1/acl/policy", { Name: name, Rules: rules });
}

/** Creates a token holding the named policies (none: a token without any right). */
export async function createAclToken(
  agent: ConsulAgent,
  policies: readonly string[],
): Promise<AclToken> {
  const token = await aclCall(agent, "PUT", "/v1/acl/token", {
    Policies: policies.map((Name) => ({ Name })),
  });
  return { accessorId: String(token.AccessorID), secretId: String(token.SecretID) };
}

/** Replaces the policies of a token, e.g. to revoke a right while it is in use. */
export async function setAclTokenPolicies(
  agent: ConsulAgent,
  accessorId: string,
  policies: readonly string[],
): Promise<void> {
  await aclCall(agent, "PUT", `/v1/acl/token/${accessorId}`, {
    Policies: policies.map((Name) => ({ Name })),
  });
}
