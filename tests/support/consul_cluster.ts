/**
 * A real Consul cluster for tests: three servers and two client agents, each a `consul agent`
 * process on its own free loopback ports with its own data directory, joined with `-retry-join`,
 * with fast elections (`performance { raft_multiplier = 1 }`) and fast failure detection of the
 * gossip layer, so that a test can kill a leader, restart an agent or lose a node in seconds.
 *
 * @module
 */

import { consulBinary } from "./consul.ts";
import { freePorts } from "./ports.ts";

/** One agent of the cluster. */
export interface ClusterAgent {
  /** Node name (`server-1`…, `client-a`, `client-b`). */
  readonly node: string;
  /** True for a server. */
  readonly server: boolean;
  /** `127.0.0.1:<http port>`. */
  readonly address: string;
  /** `127.0.0.1:<server RPC port>` for a server (what `/v1/status/leader` names). */
  readonly rpcAddress: string | undefined;
  /** True while its process runs. */
  readonly running: boolean;
  /** The last few KiB the agent printed (warnings and errors). */
  output(): string;
  /** Kills it with SIGKILL, the way a crashed machine stops (no leave, no goodbye). */
  kill(): Promise<void>;
  /** Stops it with SIGTERM (a client leaves the cluster; a server does not). */
  stop(): Promise<void>;
  /**
   * Starts it again on the same ports and node id; `fresh` wipes its data directory first
   * (a new container of the same node: the agent forgot every local registration).
   */
  start(fresh?: boolean): Promise<void>;
}

/** A running cluster; disposing it kills every agent and removes their data. */
export interface ConsulCluster extends AsyncDisposable {
  /** The three servers. */
  readonly servers: readonly ClusterAgent[];
  /** Client agent A (where the pilot under test talks). */
  readonly clientA: ClusterAgent;
  /** Client agent B (where its dependency is registered). */
  readonly clientB: ClusterAgent;
  /** The current leader, asked of the running servers; `undefined` while there is none. */
  leader(): Promise<ClusterAgent | undefined>;
  /** Waits until a leader other than `not` is elected and known to every running agent. */
  waitForLeader(not?: ClusterAgent, timeoutMs?: number): Promise<ClusterAgent>;
}

/** Options of {@linkcode startConsulCluster}. */
export interface ClusterOptions {
  /**
   * `false`: the client agents answer blocking health queries through Consul's RPC path
   * (`use_streaming_backend = false`) instead of the streaming backend, the default.
   */
  readonly streamingBackend?: boolean;
}

const START_TIMEOUT_MS = 60_000;
/** Fast failure detection: a killed node is found critical in about a second, not ten. */
const GOSSIP = `gossip_lan { probe_interval = "200ms" probe_timeout = "100ms" ` +
  `suspicion_mult = 2 gossip_interval = "100ms" }`;

interface AgentPorts {
  readonly http: number;
  readonly serfLan: number;
  readonly serfWan: number;
  readonly server: number;
}

/**
 * Starts 3 servers and 2 client agents and waits until they have a leader and every agent is a
 * member of the cluster.
 *
 * @throws {Error} When the cluster does not form in time, with the agents' last output.
 */
export async function startConsulCluster(options: ClusterOptions = {}): Promise<ConsulCluster> {
  const root = await Deno.makeTempDir({ prefix: "amp-pilot-cluster-" });
  const ports = await freePorts(20);
  const portsOf = (i: number): AgentPorts => ({
    http: ports[4 * i]!,
    serfLan: ports[4 * i + 1]!,
    serfWan: ports[4 * i + 2]!,
    server: ports[4 * i + 3]!,
  });
  const serverJoins = [0, 1, 2].map((i) => `127.0.0.1:${portsOf(i).serfLan}`);
  const agents: ProcessAgent[] = [];
  const names = ["server-1", "server-2", "server-3", "client-a", "client-b"];
  names.forEach((node, i) => {
    const server = i < 3;
    agents.push(
      new ProcessAgent(node, server, portsOf(i), `${root}/${node}`, serverJoins, options),
    );
  });
  const cluster: ConsulCluster = {
    servers: agents.slice(0, 3),
    clientA: agents[3]!,
    clientB: agents[4]!,
    leader: () => currentLeader(agents),
    waitForLeader: (not, timeoutMs = START_TIMEOUT_MS) => waitForLeader(agents, not, timeoutMs),
    [Symbol.asyncDispose]: async () => {
      await Promise.all(agents.map((a) => a.kill()));
      await Deno.remove(root, { recursive: true }).catch(() => {});
    },
  };
  try {
    await Promise.all(agents.map((a) => a.start()));
    await cluster.waitForLeader();
    await waitForMembers(agents);
  } catch (e) {
    const output = agents.map((a) => `--- ${a.node}:\n${a.output()}`).join("\n");
    await cluster[Symbol.asyncDispose]();
    throw new Error(`the Consul cluster did not form: ${(e as Error).message}\n${output}`);
  }
  return cluster;
}

class ProcessAgent implements ClusterAgent {
  readonly node: string;
  readonly server: boolean;
  readonly address: string;
  readonly rpcAddress: string | undefined;
  readonly #ports: AgentPorts;
  readonly #dataDir: string;
  readonly #joins: readonly string[];
  readonly #options: ClusterOptions;
  readonly #nodeId = crypto.randomUUID();
  #child: Deno.ChildProcess | undefined;
  #exited: Promise<unknown> = Promise.resolve();
  #output = "";

  constructor(
    node: string,
    server: boolean,
    ports: AgentPorts,
    dataDir: string,
    joins: readonly string[],
    options: ClusterOptions,
  ) {
    this.node = node;
    this.server = server;
    this.address = `127.0.0.1:${ports.http}`;
    this.rpcAddress = server ? `127.0.0.1:${ports.server}` : undefined;
    this.#ports = ports;
    this.#dataDir = dataDir;
    this.#joins = joins;
    this.#options = options;
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  output(): string {
    return this.#output;
  }

  async start(fresh = false): Promise<void> {
    if (this.#child) return;
    if (fresh) await Deno.remove(this.#dataDir, { recursive: true }).catch(() => {});
    await Deno.mkdir(this.#dataDir, { recursive: true });
    try {
      this.#child = new Deno.Command(consulBinary(), {
        args: this.#args(),
        stdout: "piped",
        stderr: "piped",
      }).spawn();
    } catch (e) {
      throw new Error(
        `cannot start Consul from ${consulBinary()}: ${(e as Error).message}; ` +
          "run `deno task peers` (or set CONSUL_BIN) first",
      );
    }
    const child = this.#child;
    const keep = (text: string) => (this.#output = (this.#output + text).slice(-4000));
    const drained = Promise.all([drain(child.stdout, keep), drain(child.stderr, keep)]);
    this.#exited = Promise.all([child.status, drained]).then(() => {
      if (this.#child === child) this.#child = undefined;
    });
    await eventuallyAnswers(this, START_TIMEOUT_MS);
  }

  kill(): Promise<void> {
    return this.#end("SIGKILL");
  }

  stop(): Promise<void> {
    return this.#end("SIGTERM");
  }

  async #end(signal: Deno.Signal): Promise<void> {
    const child = this.#child;
    if (!child) return;
    try {
      child.kill(signal);
    } catch { /* already gone */ }
    const timer = setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch { /* gone */ }
    }, 10_000);
    await this.#exited;
    clearTimeout(timer);
  }

  #args(): string[] {
    const p = this.#ports;
    const args = [
      "agent",
      `-node=${this.node}`,
      `-node-id=${this.#nodeId}`,
      `-data-dir=${this.#dataDir}`,
      "-bind=127.0.0.1",
      "-client=127.0.0.1",
      `-http-port=${p.http}`,
      "-dns-port=-1",
      "-grpc-port=-1",
      "-grpc-tls-port=-1",
      `-serf-lan-port=${p.serfLan}`,
      `-serf-wan-port=${p.serfWan}`,
      `-server-port=${p.server}`,
      "-log-level=warn",
      "-hcl",
      "performance { raft_multiplier = 1 }",
      "-hcl",
      GOSSIP,
      "-hcl",
      "disable_update_check = true",
      "-retry-interval=200ms",
      ...this.#joins.map((join) => `-retry-join=${join}`),
    ];
    if (this.server) args.push("-server", "-bootstrap-expect=3");
    else if (this.#options.streamingBackend === false) {
      args.push("-hcl", "use_streaming_backend = false");
    }
    return args;
  }
}

async function drain(stream: ReadableStream<Uint8Array>, keep: (text: string) => void) {
  const decoder = new TextDecoder();
  for await (const chunk of stream) keep(decoder.decode(chunk, { stream: true }));
}

async function getJson(address: string, path: string): Promise<unknown> {
  const response = await fetch(`http://${address}${path}`, { signal: AbortSignal.timeout(2000) });
  const text = await response.text();
  if (!response.ok) throw new Error(`GET ${path} on ${address}: HTTP ${response.status}: ${text}`);
  return JSON.parse(text);
}

async function eventuallyAnswers(agent: ProcessAgent, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!agent.running) throw new Error(`${agent.node} exited: ${agent.output()}`);
    try {
      await getJson(agent.address, "/v1/agent/self");
      return;
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`${agent.node} never answered: ${e}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function currentLeader(agents: readonly ClusterAgent[]): Promise<ClusterAgent | undefined> {
  for (const agent of agents.filter((a) => a.server && a.running)) {
    try {
      const leader = await getJson(agent.address, "/v1/status/leader");
      const found = agents.find((a) => a.rpcAddress === leader);
      if (found) return found;
    } catch { /* this one does not know: ask the next */ }
  }
  return undefined;
}

async function waitForLeader(
  agents: readonly ClusterAgent[],
  not: ClusterAgent | undefined,
  timeoutMs: number,
): Promise<ClusterAgent> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const leader = await currentLeader(agents);
    if (leader && leader !== not && leader.running && await allAgree(agents, leader)) {
      return leader;
    }
    if (Date.now() > deadline) throw new Error(`no new leader within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function allAgree(agents: readonly ClusterAgent[], leader: ClusterAgent): Promise<boolean> {
  const answers = await Promise.all(
    agents.filter((a) => a.running).map((a) =>
      getJson(a.address, "/v1/status/leader").catch(() => "")
    ),
  );
  return answers.every((answer) => answer === leader.rpcAddress);
}

async function waitForMembers(agents: readonly ClusterAgent[]): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const nodes = await getJson(agents[0]!.address, "/v1/catalog/nodes").catch(() => []);
    const names = Array.isArray(nodes) ? nodes.map((n) => (n as { Node?: string }).Node) : [];
    if (agents.every((a) => names.includes(a.node))) return;
    if (Date.now() > deadline) throw new Error(`nodes in the catalog: ${names.join(", ")}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
