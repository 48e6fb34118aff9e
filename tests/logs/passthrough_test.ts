import { deepEqual, equal, ok } from "node:assert/strict";
import { pump } from "../../src/logs/passthrough.ts";
import { ampPilotCommand } from "../support/amp_pilot_command.ts";
import { consumeAll, ledTopic, startKafka } from "../support/kafka.ts";
import { childEnv, tempDir } from "../support/pilot.ts";
import { PILOT_ENTRY } from "../support/entry.ts";

/** What `command | head -c 10` gave: head's output, the command's status, its stderr. */
interface PipeRun {
  readonly out: string;
  readonly status: number;
  readonly err: string;
}

/**
 * Runs `argv | head -c 10` in bash, with `env`, and returns head's output, argv's exit status
 * (from PIPESTATUS) and argv's stderr.
 */
async function intoHead(argv: readonly string[], env: Record<string, string>): Promise<PipeRun> {
  await using dir = await tempDir();
  const script =
    `"$@" 2>"${dir.path}/err" | head -c 10; echo "\${PIPESTATUS[0]}" >"${dir.path}/status"`;
  const child = new Deno.Command("bash", {
    args: ["-c", script, "bash", ...argv],
    env: childEnv(env),
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000); // a hang fails, never blocks
  try {
    const { stdout, signal } = await child.output();
    if (signal === "SIGKILL") throw new Error(`${argv.join(" ")} | head -c 10: hung, killed`);
    return {
      out: new TextDecoder().decode(stdout),
      status: Number((await Deno.readTextFile(`${dir.path}/status`)).trim()),
      err: await Deno.readTextFile(`${dir.path}/err`),
    };
  } finally {
    clearTimeout(timer);
  }
}

function pilot(mate: readonly string[]): string[] {
  return [Deno.execPath(), "run", "--allow-all", "--frozen", PILOT_ENTRY, "--", ...mate];
}

function mateLines(records: { value: Record<string, unknown> }[], stream: string): string[] {
  return records.filter((r) => r.value.stream === stream).map((r) => String(r.value.message));
}

/** Writes numbered lines until a write fails. */
const ENDLESS = ["sh", "-c", `i=0; while :; do echo "line $i"; i=$((i+1)); done`];
/** The same, ignoring SIGPIPE: it sees EPIPE, says so and exits 7. */
const EPIPE = [
  "sh",
  "-c",
  `trap '' PIPE; i=0; while echo "line $i"; do i=$((i+1)); done; echo "write failed" >&2; exit 7`,
];

Deno.test("Kafka on, the pilot's stdout reader gone: the mate sees what it would alone", async (t) => {
  await using kafka = await startKafka();
  const base = { KAFKA: kafka.bootstrap, AMPPILOT_SERVICEID: "svc-1", AMPPILOT_LOGLEVEL: "info" };

  for (const [name, mate, expected] of [["SIGPIPE", ENDLESS, 141], ["EPIPE", EPIPE, 7]] as const) {
    await t.step(`the mate gets ${name}; what it wrote before reaches Kafka`, async () => {
      const alone = await intoHead(mate, {});
      equal(alone.status, expected, "without the pilot");
      const topic = `p-${crypto.randomUUID().slice(0, 8)}`;
      await ledTopic(kafka.bootstrap, topic); // not a topic its broker is still taking over
      // A buffer for all the mate writes before the pipe breaks, even before Kafka is connected.
      const env = { ...base, KAFKA_TOPIC: topic, AMPPILOT_KAFKABUFFER: "1000000" };
      const run = await intoHead(pilot(mate), env);
      equal(run.out, "line 0\nlin");
      equal(run.status, expected, `the pilot's exit status; its stderr:\n${run.err}`);
      ok(!/internal error/.test(run.err), run.err);
      ok(/the pilot's stdout is gone/.test(run.err), run.err);
      if (name === "EPIPE") ok(run.err.includes("write failed\n"), "the mate's stderr passes");
      const records = await consumeAll(
        kafka.bootstrap,
        topic,
        (r) => r.some((x) => /on its own; exiting/.test(String(x.value.message))),
      );
      const lines = mateLines(records, "stdout");
      ok(lines.length >= 1, "the lines read before stdout went reach Kafka");
      // In order, none missing; the last may be cut where the mate's last chunk read ended.
      ok(!records.some((r) => r.value.dropped !== undefined), "the buffer held everything");
      const whole = Array.from({ length: lines.length }, (_, i) => `line ${i}`);
      const bad = lines.slice(0, -1).findIndex((l, i) => l !== whole[i]);
      equal(bad, -1, `at ${bad}: ${lines.slice(Math.max(0, bad - 2), bad + 3)}`);
      ok(whole.at(-1)!.startsWith(lines.at(-1)!), `the last line: ${lines.at(-1)}`);
    });
  }

  await t.step("the pilot's stderr reader gone: logging never stops the pilot", async () => {
    const topic = `p-${crypto.randomUUID().slice(0, 8)}`;
    const child = ampPilotCommand(
      ["--", "sh", "-c", `echo out; sleep 0.2; echo err >&2; sleep 0.2; echo out2; exit 3`],
      { ...base, KAFKA_TOPIC: topic },
      { stdin: "null" },
    ).spawn();
    await child.stderr.cancel(); // nobody reads the pilot's stderr any more
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    const { code, stdout } = await child.output().finally(() => clearTimeout(timer));
    equal(code, 3);
    equal(new TextDecoder().decode(stdout), "out\nout2\n");
    const records = await consumeAll(
      kafka.bootstrap,
      topic,
      (r) => mateLines(r, "stdout").includes("out2") && mateLines(r, "stderr").length > 0,
    );
    deepEqual(mateLines(records, "stdout"), ["out", "out2"]);
    deepEqual(mateLines(records, "stderr"), ["err"]);
    ok(records.some((r) => /starting the mate/.test(String(r.value.message))), "pilot logs ship");
  });
});

Deno.test("pump: a target that is gone cancels the source and ends without an error", async () => {
  const enc = new TextEncoder();
  let cancelled: unknown;
  let pulls = 0;
  const source = new ReadableStream<Uint8Array>({
    type: "bytes",
    pull(controller) {
      controller.enqueue(enc.encode(`chunk ${pulls++}\n`));
    },
    cancel(reason) {
      cancelled = reason ?? "cancelled";
    },
  });
  const written: string[] = [];
  const target = {
    write(p: Uint8Array): Promise<number> {
      if (written.length === 2) return Promise.reject(new Deno.errors.BrokenPipe("gone"));
      written.push(new TextDecoder().decode(p));
      return Promise.resolve(p.length);
    },
  };
  const chunks: string[] = [];
  const gone: unknown[] = [];
  await pump(source, target, (c) => chunks.push(new TextDecoder().decode(c)), (e) => gone.push(e));
  deepEqual(written, ["chunk 0\n", "chunk 1\n"]);
  deepEqual(chunks, ["chunk 0\n", "chunk 1\n", "chunk 2\n"], "the chunk read still counts");
  ok(cancelled !== undefined, "the source was cancelled");
  equal(gone.length, 1);
  ok(gone[0] instanceof Deno.errors.BrokenPipe);
});

Deno.test("pump: a target full for now (EAGAIN) is written again, not taken as gone", async () => {
  const enc = new TextEncoder();
  const lines = ["one\n", "two\n", "three\n"];
  const source = new ReadableStream({
    type: "bytes",
    pull(controller: ReadableByteStreamController) {
      const line = lines.shift();
      if (line !== undefined) return controller.enqueue(enc.encode(line));
      controller.close();
      controller.byobRequest?.respond(0); // ends the reader's pending read
    },
  });
  let text = "";
  let refusals = 0;
  const target = {
    write(p: Uint8Array): Promise<number> {
      if (text === "one\n" && refusals < 3) {
        refusals++;
        return Promise.reject(new Deno.errors.WouldBlock("Resource temporarily unavailable"));
      }
      text += new TextDecoder().decode(p);
      return Promise.resolve(p.length);
    },
  };
  const gone: unknown[] = [];
  await pump(source, target, undefined, (e) => gone.push(e));
  equal(text, "one\ntwo\nthree\n");
  equal(refusals, 3);
  deepEqual(gone, []);
});
