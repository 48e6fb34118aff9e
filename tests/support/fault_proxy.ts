/**
 * A TCP proxy in front of a Kafka broker that can lose the broker's answer to a Produce request:
 * the broker has written the batch, and the client sees its connection drop instead of the
 * answer (what a network failure at the wrong moment does). It can also lose the request itself
 * (the broker never sees the batch), hold every Produce answer back (a broker that hangs), and
 * have the broker refuse a Produce request with a retriable error (a partition whose leader moved).
 *
 * @module
 */

/** A running proxy. */
export interface FaultProxy extends AsyncDisposable {
  /** The port it listens on, on 127.0.0.1. */
  readonly port: number;
  /** Connections it accepted so far. */
  readonly connections: number;
  /** Produce answers it lost so far. */
  readonly answersLost: number;
  /** Produce requests it passed on to the broker so far. */
  readonly produceRequests: number;
  /** Produce requests it lost so far. */
  readonly requestsLost: number;
  /** Produce answers it is holding back now. */
  readonly answersHeld: number;
  /** Produce requests it rewrote so far for the broker to refuse. */
  readonly produceRefused: number;
  /**
   * Produce requests it passed on after the last one it had refused, before it passed the
   * broker's answer to that one on: batches the client had in flight behind it (0 until then).
   */
  readonly sentBehindRefusal: number;
  /** Loses the `n`th Produce answer from now (1: the next one) and closes that connection. */
  loseProduceAnswer(n: number): void;
  /** Loses the next Produce request (it never reaches the broker) and closes that connection. */
  loseProduceRequest(): void;
  /**
   * Has the broker refuse the next Produce request, in its turn among the answers: the request
   * names a partition that does not exist, so the broker writes nothing and answers
   * UNKNOWN_TOPIC_OR_PARTITION, which reaches the client as `errorCode` for the partition it asked
   * for (NOT_LEADER_OR_FOLLOWER is 6). Produce v3–v8 only: another version is passed on as it is
   * (and not counted as refused). `undefined` takes back a refusal not yet made.
   */
  refuseNextProduce(errorCode: number | undefined): void;
  /** While `hold` is true, Produce answers are kept back: the client waits for them. */
  holdProduceAnswers(hold: boolean): void;
  /** While `refuse` is true, closes new connections at once (a broker out of reach). */
  refuseConnections(refuse: boolean): void;
}

const PRODUCE = 0;
/** A partition no test topic has: the broker answers UNKNOWN_TOPIC_OR_PARTITION. */
const MISSING_PARTITION = 99_999;

/** Starts a proxy to `127.0.0.1:targetPort` (the broker need not be up yet). */
export function startFaultProxy(targetPort: number): FaultProxy {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const open = new Set<Deno.Conn>();
  let connections = 0;
  let answersLost = 0;
  let requestsLost = 0;
  let produceRequests = 0;
  let loseRequest = false;
  let holding = false;
  let answersHeld = 0;
  let loseIn = 0;
  let refusing = false;
  let refuseWith: number | undefined;
  let produceRefused = 0;
  let sentBehindRefusal = 0;
  const shouldLose = () => loseIn > 0 && --loseIn === 0;
  const serve = async (client: Deno.Conn) => {
    connections++;
    if (refusing) {
      client.close();
      return;
    }
    let broker: Deno.Conn;
    try {
      broker = await Deno.connect({ hostname: "127.0.0.1", port: targetPort });
    } catch {
      client.close();
      return;
    }
    open.add(client).add(broker);
    const produceIds = new Set<number>();
    /**
     * Produce requests sent on to be refused: correlation id → partition and error to answer, and
     * how many Produce requests had been passed on with it.
     */
    const refused = new Map<number, { partition: number; errorCode: number; request: number }>();
    const closeBoth = () => {
      for (const conn of [client, broker]) {
        if (open.delete(conn)) conn.close();
      }
    };
    const toBroker = pump(client, broker, (frame) => {
      const view = new DataView(frame.buffer, frame.byteOffset);
      if (view.getInt16(4) !== PRODUCE) return true;
      if (loseRequest) {
        loseRequest = false;
        requestsLost++;
        return false;
      }
      produceIds.add(view.getInt32(8));
      produceRequests++;
      const at = refuseWith === undefined ? undefined : partitionIndexOffset(frame);
      if (refuseWith !== undefined && at !== undefined) {
        refused.set(view.getInt32(8), {
          partition: view.getInt32(at),
          errorCode: refuseWith,
          request: produceRequests,
        });
        view.setInt32(at, MISSING_PARTITION);
        refuseWith = undefined;
        produceRefused++;
      }
      return true;
    });
    const toClient = pump(broker, client, async (frame) => {
      const id = new DataView(frame.buffer, frame.byteOffset).getInt32(4);
      if (!produceIds.delete(id)) return true;
      if (holding) {
        answersHeld++;
        while (holding && open.has(client)) await new Promise((r) => setTimeout(r, 20));
        answersHeld--;
      }
      const refusal = refused.get(id);
      if (refusal) {
        refused.delete(id);
        sentBehindRefusal = produceRequests - refusal.request;
        rewriteProduceAnswer(frame, refusal.partition, refusal.errorCode);
      }
      if (!shouldLose()) return true;
      answersLost++;
      return false;
    });
    await Promise.race([toBroker, toClient]);
    closeBoth();
  };
  const accepting = (async () => {
    for await (const client of listener) serve(client);
  })().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    get connections() {
      return connections;
    },
    get answersLost() {
      return answersLost;
    },
    get produceRequests() {
      return produceRequests;
    },
    get requestsLost() {
      return requestsLost;
    },
    get answersHeld() {
      return answersHeld;
    },
    get produceRefused() {
      return produceRefused;
    },
    get sentBehindRefusal() {
      return sentBehindRefusal;
    },
    loseProduceRequest() {
      loseRequest = true;
    },
    refuseNextProduce(errorCode: number | undefined) {
      refuseWith = errorCode;
      sentBehindRefusal = 0;
    },
    holdProduceAnswers(hold: boolean) {
      holding = hold;
    },
    loseProduceAnswer(n: number) {
      loseIn = n;
    },
    refuseConnections(refuse: boolean) {
      refusing = refuse;
    },
    async [Symbol.asyncDispose]() {
      holding = false;
      listener.close();
      for (const conn of open) conn.close();
      open.clear();
      await accepting;
    },
  };
}

/**
 * Where the first partition index of a Produce request (v3–v8) is in its frame, or `undefined`
 * for another version:
 * after the size, the header (key, version, correlation id, client id), the transactional id,
 * acks, the timeout, the topic count, the topic's name and the partition count.
 */
function partitionIndexOffset(frame: Uint8Array): number | undefined {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.length);
  const version = view.getInt16(6);
  if (version < 3 || version > 8) return undefined; // flexible versions are laid out otherwise
  let at = 12;
  at += 2 + Math.max(0, view.getInt16(at)); // client id
  at += 2 + Math.max(0, view.getInt16(at)); // transactional id (-1: none)
  at += 2 + 4 + 4; // acks, timeout, topic count
  at += 2 + view.getInt16(at); // topic name
  return at + 4; // partition count
}

/**
 * Rewrites the first partition of a Produce answer (v3–v8) in place: its index to `partition`,
 * its error code to `errorCode`.
 */
function rewriteProduceAnswer(frame: Uint8Array, partition: number, errorCode: number): void {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.length);
  const at = 8 + 4 + 2 + view.getInt16(12) + 4; // correlation id, topic count, name, partitions
  view.setInt32(at, partition);
  view.setInt16(at + 4, errorCode);
}

/**
 * Copies whole Kafka frames (size-prefixed) from `from` to `to` while `pass` allows them;
 * ends when either side closes or `pass` returns false.
 */
async function pump(
  from: Deno.Conn,
  to: Deno.Conn,
  pass: (frame: Uint8Array) => boolean | Promise<boolean>,
): Promise<void> {
  let pending: Uint8Array = new Uint8Array(0);
  const chunk = new Uint8Array(64 * 1024);
  try {
    for (;;) {
      const n = await from.read(chunk);
      if (n === null) return;
      pending = concat(pending, chunk.subarray(0, n));
      for (;;) {
        if (pending.length < 4) break;
        const size = new DataView(pending.buffer, pending.byteOffset).getInt32(0);
        if (pending.length < 4 + size) break;
        const frame = pending.slice(0, 4 + size);
        pending = pending.slice(4 + size);
        if (!await pass(frame)) return;
        await writeAll(to, frame);
      }
    }
  } catch {
    return; // a side closed
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}

async function writeAll(to: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let written = 0; written < bytes.length;) {
    written += await to.write(bytes.subarray(written));
  }
}
