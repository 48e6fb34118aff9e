// deno-lint-ignore-file no-console -- a command-line script that prints its report

/**
 * The chain part of `deno task bench`: a chain of pilots (c0 ← c1 ← … ← c9, each depending on
 * the one before) against one real Consul agent. Measures the start-up of all pilots at once, the
 * bring-up once they all wait (the root waits for a gate service until then), the cascade down
 * when the root's mate dies, and the way back up after the backoff, in total and per hop. Run
 * alone: `deno run -A scripts/bench_chain.ts [depth]`.
 *
 * @module
 */

import { startConsul } from "../tests/support/consul.ts";
import { fakeDependency } from "../tests/support/dependency.ts";
import { cpuSeconds } from "./bench_proc.ts";
import { round } from "./bench_stats.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

/** Figures of one chain run (ms). */
export interface ChainFigures {
  /** Pilots in the chain. */
  readonly depth: number;
  /**
   * All pilots spawned at once → the last of them waiting for its dependency (the last moment
   * the pilots' CPU time grew before it stood still for 300 ms; within about 30 ms, the CPU time
   * being read every 20 ms in ticks of 10 ms).
   */
  readonly allWaitingMs: number;
  /**
   * The root's mate started → the leaf's mate started, every pilot already waiting (the root's
   * gate passes only then: before, the pilots still starting would be timed too, on a machine
   * of two cores that is most of the figure).
   */
  readonly bringUpFromRootMs: number;
  /** The same, per hop. */
  readonly bringUpPerHopMs: number;
  /** The root's mate killed → the leaf's mate got SIGTERM. */
  readonly cascadeDownMs: number;
  /** The same, per pilot (the root's own reaction included). */
  readonly cascadeDownPerHopMs: number;
  /** The root's mate restarted (after its backoff) → the leaf's mate started again. */
  readonly backUpMs: number;
  /** The same, per hop. */
  readonly backUpPerHopMs: number;
}

interface MateEvent {
  readonly kind: "start" | "term";
  /** Wall clock (ms) from the mate's own `date +%s%N`. */
  readonly at: number;
  readonly pid: number;
}

async function events(file: string): Promise<MateEvent[]> {
  try {
    return (await Deno.readTextFile(file)).trim().split("\n").filter(Boolean).map((line) => {
      const [kind, ns, pid] = line.split(" ");
      return { kind: kind as "start" | "term", at: Number(ns) / 1e6, pid: Number(pid) };
    });
  } catch {
    return [];
  }
}

async function nth(file: string, kind: "start" | "term", n: number, what: string) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const found = (await events(file)).filter((e) => e.kind === kind)[n];
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Waits until the processes' CPU time has not grown by more than a tick (10 ms) for 300 ms, and
 * returns the last moment it grew.
 */
async function stillAt(pids: number[]): Promise<number> {
  const deadline = Date.now() + 60_000;
  let last = totalCpuSeconds(pids);
  let grewAt = epochMs();
  while (epochMs() - grewAt < 300) {
    if (Date.now() > deadline) throw new Error("timed out waiting for the pilots to wait");
    await new Promise((resolve) => setTimeout(resolve, 20));
    const now = totalCpuSeconds(pids);
    if (now - last > 0.011) {
      last = now;
      grewAt = epochMs();
    }
  }
  return grewAt;
}

/** The CPU seconds of all the pilots; one that is gone is an error naming it. */
function totalCpuSeconds(pids: number[]): number {
  let sum = 0;
  for (const [i, pid] of pids.entries()) {
    try {
      sum += cpuSeconds(pid);
    } catch {
      throw new Error(`pilot ${i} of the chain exited while the pilots were starting`);
    }
  }
  return sum;
}

/** Runs a chain of `depth` pilots against the agent at `address`. */
export async function chainFigures(
  address: string,
  dir: string,
  depth = 10,
): Promise<ChainFigures> {
  const run = crypto.randomUUID().slice(0, 6);
  const name = (i: number) => `chain-${run}-${i}`;
  const file = (i: number) => `${dir}/${name(i)}.events`;
  const pilots: Deno.ChildProcess[] = [];
  await using gate = await fakeDependency(address, `chain-${run}-gate`);
  const spawnedAt = epochMs();
  for (let i = 0; i < depth; i++) {
    const mate = [
      "sh",
      "-c",
      `echo "start $(date +%s%N) $$" >> ${file(i)}; ` +
      `trap 'echo "term $(date +%s%N) $$" >> ${file(i)}; exit 0' TERM; ` +
      `while :; do sleep 0.05 & wait $!; done`,
    ];
    pilots.push(
      new Deno.Command(Deno.execPath(), {
        args: ["run", "--allow-all", "--frozen", MAIN, "--", ...mate],
        env: {
          PATH: Deno.env.get("PATH")!,
          HOME: Deno.env.get("HOME")!,
          CONSUL: address,
          SERVICE_NAME: name(i),
          AMPPILOT_REGISTEREDIP: "127.0.0.1",
          DEPENDENCIES: i > 0 ? name(i - 1) : `chain-${run}-gate`,
        },
        clearEnv: true,
        stdin: "null",
        stdout: "null",
        stderr: "null",
      }).spawn(),
    );
  }
  try {
    const leaf = depth - 1;
    const allWaitingAt = await stillAt(pilots.map((pilot) => pilot.pid));
    await gate.pass();
    const rootUp = await nth(file(0), "start", 0, "the root's mate");
    const leafUp = await nth(file(leaf), "start", 0, "the leaf's mate");
    await new Promise((resolve) => setTimeout(resolve, 500));

    const killedAt = epochMs();
    Deno.kill(rootUp.pid, "SIGKILL");
    const leafDown = await nth(file(leaf), "term", 0, "SIGTERM to reach the leaf's mate");
    const rootBack = await nth(file(0), "start", 1, "the root's restart");
    const leafBack = await nth(file(leaf), "start", 1, "the leaf's restart");
    const hops = Math.max(1, depth - 1);
    return {
      depth,
      allWaitingMs: round(allWaitingAt - spawnedAt),
      bringUpFromRootMs: round(leafUp.at - rootUp.at),
      bringUpPerHopMs: round((leafUp.at - rootUp.at) / hops),
      cascadeDownMs: round(leafDown.at - killedAt),
      // The root's pilot seeing its mate die is a hop too: depth hops in all.
      cascadeDownPerHopMs: round((leafDown.at - killedAt) / depth),
      backUpMs: round(leafBack.at - rootBack.at),
      backUpPerHopMs: round((leafBack.at - rootBack.at) / hops),
    };
  } finally {
    for (const pilot of pilots) {
      try {
        pilot.kill("SIGTERM");
      } catch { /* exited */ }
    }
    await Promise.all(pilots.map((p) => p.status));
  }
}

if (import.meta.main) {
  await using consul = await startConsul();
  const dir = await Deno.makeTempDir({ prefix: "amp-pilot-chain-" });
  try {
    const depth = Number(Deno.args[0] ?? 10);
    console.log(JSON.stringify(await chainFigures(consul.address, dir, depth)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
