import { equal, ok } from "node:assert/strict";
import { startFaultProxy } from "../support/fault_proxy.ts";
import { startKafka } from "../support/kafka.ts";
import { freePorts } from "../support/ports.ts";
import { startPilot } from "../support/pilot.ts";
import { eventually } from "../support/eventually.ts";

/** The pilot's documented flush time at exit (LOG_FLUSH_TIMEOUT_MS in src/cli/run.ts). */
const FLUSH_MS = 3_000;
/** Room for the mate's stop and the process's own exit on a loaded machine. */
const MARGIN_MS = 2_500;

/** Prints a line, then runs until SIGTERM, which it obeys at once. */
const MATE = ["sh", "-c", `echo hello; trap 'exit 0' TERM; while :; do sleep 0.05 & wait $!; done`];

const LOSS =
  /(\d+) log records could not be delivered to Kafka \((\d+) dropped from the full buffer and not reported, (\d+) still held at exit\)/;

/**
 * Runs a pilot shipping to `kafka` until its mate printed, sends SIGTERM, and checks that it
 * exited within the flush time plus a margin and said what it could not deliver.
 */
async function exitsInTime(
  kafka: string,
  env: Record<string, string> = {},
  stuck: () => void = () => {},
): Promise<void> {
  await using pilot = startPilot({ KAFKA: kafka, AMPPILOT_SERVICEID: "svc-1", ...env }, MATE);
  await eventually(() => ok(pilot.stdout().includes("hello\n")));
  await eventually(stuck, 20_000);
  const start = performance.now();
  pilot.signal("SIGTERM");
  const status = await pilot.status;
  const took = performance.now() - start;
  equal(status.code, 0);
  ok(took < FLUSH_MS + MARGIN_MS, `the pilot took ${Math.round(took)} ms to exit`);
  const loss = LOSS.exec(pilot.stderr());
  ok(loss, `no loss line in:\n${pilot.stderr()}`);
  ok(Number(loss[1]) >= 1, "the mate's line at least was held");
  equal(Number(loss[1]), Number(loss[2]) + Number(loss[3]));
  ok(!/internal error/.test(pilot.stderr()), pilot.stderr());
}

/** A TCP server of the test's own: accepts, reads, and answers ApiVersions only if asked. */
function misbehavingBroker(answerApiVersions: boolean): { port: number } & AsyncDisposable {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  const serve = async (conn: Deno.Conn) => {
    conns.add(conn);
    const buffer = new Uint8Array(64 * 1024);
    let answered = !answerApiVersions;
    try {
      for (;;) {
        const n = await conn.read(buffer);
        if (n === null) return;
        if (answered || n < 12) continue;
        answered = true;
        const correlationId = new DataView(buffer.buffer).getInt32(8);
        await conn.write(apiVersionsAnswer(correlationId));
      }
    } catch {
      // closed
    } finally {
      if (conns.delete(conn)) conn.close();
    }
  };
  const accepting = (async () => {
    for await (const conn of listener) serve(conn);
  })().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    async [Symbol.asyncDispose]() {
      listener.close();
      for (const conn of conns) conn.close();
      conns.clear();
      await accepting;
    },
  };
}

/** An ApiVersions v0 answer: Produce v3–7, Metadata v4, SASL, InitProducerId. */
function apiVersionsAnswer(correlationId: number): Uint8Array {
  const apis: [number, number, number][] = [[0, 3, 7], [3, 4, 4], [17, 0, 1], [18, 0, 0], [
    22,
    0,
    0,
  ], [36, 0, 0]];
  const out = new DataView(new ArrayBuffer(4 + 4 + 2 + 4 + apis.length * 6));
  out.setInt32(0, out.byteLength - 4);
  out.setInt32(4, correlationId);
  out.setInt16(8, 0);
  out.setInt32(10, apis.length);
  apis.forEach(([key, min, max], i) => {
    out.setInt16(14 + i * 6, key);
    out.setInt16(16 + i * 6, min);
    out.setInt16(18 + i * 6, max);
  });
  return new Uint8Array(out.buffer);
}

/**
 * A listening socket whose accept queue is full (backlog 0, one connection queued, never
 * accepted): a connection to it waits for the handshake, as to a broker out of reach.
 *
 * The kernel picks the port (bind to port 0): a port chosen ahead could still be held by a
 * connection in TIME_WAIT, and this socket, unlike Deno.listen's, has no SO_REUSEADDR.
 */
async function fullBacklog(): Promise<{ port: number } & AsyncDisposable> {
  const libc = Deno.dlopen("libc.so.6", {
    socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
    bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
    listen: { parameters: ["i32", "i32"], result: "i32" },
    getsockname: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
    close: { parameters: ["i32"], result: "i32" },
  });
  const fd = libc.symbols.socket(2, 1, 0); // AF_INET, SOCK_STREAM
  const address = new Uint8Array(16);
  const view = new DataView(address.buffer);
  view.setUint16(0, 2, true); // sin_family; sin_port stays 0
  address.set([127, 0, 0, 1], 4);
  const length = new Uint32Array([16]);
  if (
    fd < 0 || libc.symbols.bind(fd, address, 16) !== 0 || libc.symbols.listen(fd, 0) !== 0 ||
    libc.symbols.getsockname(fd, address, length) !== 0
  ) {
    if (fd >= 0) libc.symbols.close(fd);
    libc.close();
    throw new Error("could not make a listening socket with backlog 0");
  }
  const port = view.getUint16(2); // network order
  const queued = await Deno.connect({ hostname: "127.0.0.1", port });
  return {
    port,
    [Symbol.asyncDispose]() {
      queued.close();
      libc.symbols.close(fd);
      libc.close();
      return Promise.resolve();
    },
  };
}

Deno.test("SIGTERM with Kafka stuck: the pilot exits within the flush time and says what it lost", async (t) => {
  await t.step("connecting: the broker's accept queue is full", async () => {
    await using server = await fullBacklog();
    await exitsInTime(`127.0.0.1:${server.port}`);
  });

  await t.step("waiting for ApiVersions: a broker that accepts and never answers", async () => {
    await using server = misbehavingBroker(false);
    await exitsInTime(`127.0.0.1:${server.port}`);
  });

  await t.step("waiting for the SASL handshake", async () => {
    await using server = misbehavingBroker(true);
    await exitsInTime(`127.0.0.1:${server.port}`, {
      AMPPILOT_KAFKA_SASL_MECHANISM: "PLAIN",
      AMPPILOT_KAFKA_USERNAME: "pilot",
      AMPPILOT_KAFKA_PASSWORD: "pilot-secret",
    });
  });

  await t.step("waiting for metadata", async () => {
    await using server = misbehavingBroker(true);
    await exitsInTime(`127.0.0.1:${server.port}`);
  });

  await t.step("waiting for a Produce answer from a real broker", async () => {
    const [port] = await freePorts(1);
    await using proxy = startFaultProxy(port!);
    await using _kafka = await startKafka({ port, advertisedPort: proxy.port });
    proxy.holdProduceAnswers(true);
    await exitsInTime(`127.0.0.1:${proxy.port}`, {}, () => ok(proxy.answersHeld > 0));
  });
});

Deno.test("at exit, one line says everything lost: dropped from the full buffer and held", async () => {
  const [deadPort] = await freePorts(1);
  const mate = [
    "sh",
    "-c",
    `i=0; while [ $i -lt 200 ]; do i=$((i+1)); echo "line $i"; done; ` +
    `trap 'exit 0' TERM; while :; do sleep 0.05 & wait $!; done`,
  ];
  await using pilot = startPilot({
    KAFKA: `127.0.0.1:${deadPort}`,
    AMPPILOT_KAFKABUFFER: "50",
    AMPPILOT_LOGLEVEL: "warning",
  }, mate);
  await eventually(() => ok(pilot.stdout().includes("line 200\n")));
  pilot.signal("SIGTERM");
  equal((await pilot.status).code, 0);
  const logs = pilot.stderr().split("\n").filter((l) => l !== "");
  const at = logs.findIndex((l) => LOSS.test(l));
  ok(at >= 0, `no loss line in:\n${pilot.stderr()}`);
  // Records: the mate's 200 lines and each pilot log line before the loss line (Kafka gets
  // every one); the buffer holds the last 50, the rest were dropped.
  const records = 200 + at;
  const [, count, dropped, held] = LOSS.exec(logs[at]!)!.map(Number);
  equal(count, records);
  equal(held, 50);
  equal(dropped, records - 50);
});
