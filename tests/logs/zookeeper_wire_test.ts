import { deepEqual, equal, throws } from "node:assert/strict";
import {
  closeRequest,
  connectRequest,
  decodeChildren,
  decodeConnectResponse,
  decodeData,
  decodeReply,
  errorName,
  frameLength,
  MAX_FRAME_BYTES,
  OP,
  readRequest,
  ZooKeeperAnswerError,
} from "../../src/logs/zookeeper_wire.ts";

/** Bytes from a list of [int32] numbers and raw byte arrays. */
function jute(...parts: (number | Uint8Array)[]): Uint8Array {
  const chunks = parts.map((p) => {
    if (p instanceof Uint8Array) return p;
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, p);
    return b;
  });
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) out.set(c, (at += c.length) - c.length);
  return out;
}
const text = (s: string) => new TextEncoder().encode(s);

Deno.test("the requests are framed jute: connect, getChildren and getData without watch, closeSession", () => {
  const connect = connectRequest(5000);
  equal(frameLength(connect), 45);
  deepEqual(
    connect.subarray(4),
    jute(0, 0, 0, 5000, 0, 0, 16, new Uint8Array(16), new Uint8Array([0])),
    "version, zxid (8), timeout, session id (8), a 16-byte password, read-only no",
  );
  deepEqual(
    readRequest(3, OP.getChildren, "/kafka/brokers/ids").subarray(4),
    jute(3, 8, 18, text("/kafka/brokers/ids"), new Uint8Array([0])),
  );
  deepEqual(
    readRequest(4, OP.getData, "/b").subarray(4),
    jute(4, 4, 2, text("/b"), new Uint8Array([0])),
  );
  deepEqual(closeRequest(5), jute(8, 5, -11));
});

Deno.test("answers are decoded with their bounds checked", () => {
  equal(decodeConnectResponse(jute(0, 4000, 0, 7, 16, new Uint8Array(16))).timeoutMs, 4000);
  const { header, body } = decodeReply(jute(2, 0, 9, 0, 2, 1, text("1"), 2, text("12")));
  deepEqual(header, { xid: 2, err: 0 });
  deepEqual(decodeChildren(body), ["1", "12"]);
  deepEqual(decodeReply(jute(3, 0, 9, -101)).header, { xid: 3, err: -101 });
  deepEqual(decodeData(decodeReply(jute(4, 0, 9, 0, 2, text("{}"))).body), text("{}"));
  deepEqual(decodeData(decodeReply(jute(4, 0, 9, 0, -1)).body), new Uint8Array());
  equal(errorName(-101), "NONODE");
  equal(errorName(-999), "error -999");
});

Deno.test("answers that cannot be ZooKeeper's are refused, naming what was wrong", () => {
  throws(() => frameLength(jute(-4)), /announced an answer of -4 bytes \(0 to 1048575 expected\)/);
  throws(() => frameLength(jute(MAX_FRAME_BYTES + 1)), ZooKeeperAnswerError);
  equal(frameLength(jute(MAX_FRAME_BYTES)), MAX_FRAME_BYTES);
  throws(() => decodeConnectResponse(jute(0)), /ended early: the session timeout needs 4 bytes/);
  throws(
    () => decodeChildren(decodeReply(jute(2, 0, 9, 0, 1_000_000)).body),
    /claims 1000000 children in 0 bytes/,
  );
  throws(
    () => decodeChildren(decodeReply(jute(2, 0, 9, 0, 1, 100, text("x"))).body),
    /ended early: a child's name needs 100 bytes/,
  );
});
