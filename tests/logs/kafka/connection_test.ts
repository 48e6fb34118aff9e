import { equal, rejects } from "node:assert/strict";
import { BrokerConnection, KafkaConnectionError } from "../../../src/logs/kafka/connection.ts";
import { testNoTimerLeftPending } from "../../support/timers.ts";
import { after } from "../../../src/timer.ts";

Deno.test("BrokerConnection fails every pending request when a peer never answers", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  const connection = await BrokerConnection.open("127.0.0.1", listener.addr.port, 1_000);
  using _peer = await accepted; // accepted, never answered
  const frame = Uint8Array.of(0, 0, 0, 4, 0, 0, 0, 1);
  const first = await connection.send(frame, 1, 200, "Metadata");
  const second = await connection.send(frame, 2, 5_000, "Produce to t-0");
  const address = `127.0.0.1:${listener.addr.port}`;
  await rejects(first.response, (e) =>
    e instanceof KafkaConnectionError &&
    e.message === `Metadata got no answer from ${address} in 200 ms`);
  await rejects(second.response, KafkaConnectionError, "the others fail with it");
  equal(connection.closed, true);
  await connection.close();
});

Deno.test("BrokerConnection lets go of a write a peer never reads once the deadline closes the connection", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  const connection = await BrokerConnection.open("127.0.0.1", listener.addr.port, 1_000);
  using _peer = await accepted; // accepted, never read: the write fills both sockets' buffers
  const frame = new Uint8Array(64 * 1024 * 1024);
  new DataView(frame.buffer).setInt32(0, frame.length - 4);
  const gaveUp = Promise.withResolvers<"still writing">();
  const timer = after(30_000, () => gaveUp.resolve("still writing"));
  try {
    // The connection closes at the deadline; Deno 2.9 then ends the pending write (Interrupted),
    // so send() returns and the shipper reconnects, or the pilot exits, instead of waiting on TCP.
    const sent = await Promise.race([
      connection.send(frame, 1, 300, "Produce to t-0"),
      gaveUp.promise,
    ]);
    if (sent === "still writing") {
      throw new Error("send() still waits on the unread socket after 30 s");
    }
    await rejects(sent.response, (e) => e instanceof KafkaConnectionError);
    equal(connection.closed, true);
  } finally {
    timer.cancel();
  }
});

Deno.test("BrokerConnection matches responses split across reads to their requests", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  const connection = await BrokerConnection.open("127.0.0.1", listener.addr.port, 1_000);
  using peer = await accepted;
  const a = await connection.send(Uint8Array.of(1), 7, 2_000, "A");
  const b = await connection.send(Uint8Array.of(2), 8, 2_000, "B");
  // two frames: [size 6][id 7][0xAA 0xBB] and [size 5][id 8][0xCC], written in three pieces
  const bytes = Uint8Array.of(0, 0, 0, 6, 0, 0, 0, 7, 0xaa, 0xbb, 0, 0, 0, 5, 0, 0, 0, 8, 0xcc);
  for (const piece of [bytes.subarray(0, 3), bytes.subarray(3, 12), bytes.subarray(12)]) {
    await peer.write(piece);
    await new Promise((r) => setTimeout(r, 20));
  }
  equal((await a.response).int16(), -0x5545);
  equal((await b.response).int8(), -0x34);
  await connection.close();
});

Deno.test("BrokerConnection says which address refused the connection", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  await rejects(
    BrokerConnection.open("127.0.0.1", port, 1_000),
    (e) =>
      e instanceof KafkaConnectionError &&
      e.message.startsWith(`cannot connect to 127.0.0.1:${port}: `),
  );
});

Deno.test("BrokerConnection fails clearly on a garbled response stream", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  const connection = await BrokerConnection.open("127.0.0.1", listener.addr.port, 1_000);
  using peer = await accepted;
  const pending = await connection.send(Uint8Array.of(1), 1, 5_000, "Metadata");
  await peer.write(Uint8Array.of(0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 1));
  await rejects(pending.response, (e) =>
    e instanceof KafkaConnectionError &&
    /^reading from 127\.0\.0\.1:\d+ failed: a response frame of 2147483647 bytes \(expected 4 to 67108864\)$/
      .test(e.message));
  await connection.close();
});

Deno.test("BrokerConnection holds each request to its own deadline, whatever the order of timeouts", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  const connection = await BrokerConnection.open("127.0.0.1", listener.addr.port, 1_000);
  using peer = await accepted;
  const address = `127.0.0.1:${listener.addr.port}`;
  // A long timeout first, then a short one: the short one must not wait for the long one's.
  const slow = await connection.send(Uint8Array.of(1), 1, 60_000, "Produce to t-0");
  const quick = await connection.send(Uint8Array.of(2), 2, 200, "Metadata");
  await rejects(quick.response, (e) =>
    e instanceof KafkaConnectionError &&
    e.message === `Metadata got no answer from ${address} in 200 ms`);
  await rejects(slow.response, KafkaConnectionError);
  await connection.close();
  // An answered request's deadline passing fails nothing; a later one's still holds.
  const accepted2 = listener.accept();
  const again = await BrokerConnection.open("127.0.0.1", listener.addr.port, 1_000);
  using peer2 = await accepted2;
  const answered = await again.send(Uint8Array.of(1), 7, 1_000, "A");
  await peer2.write(Uint8Array.of(0, 0, 0, 5, 0, 0, 0, 7, 0xcc));
  equal((await answered.response).int8(), -0x34);
  const later = await again.send(Uint8Array.of(2), 8, 60_000, "B");
  await new Promise((r) => setTimeout(r, 1_300)); // A's deadline passes meanwhile
  await peer2.write(Uint8Array.of(0, 0, 0, 5, 0, 0, 0, 8, 0xdd));
  equal((await later.response).int8(), -0x23);
  equal(again.closed, false);
  const unanswered = await again.send(Uint8Array.of(3), 9, 300, "C");
  await rejects(unanswered.response, (e) =>
    e instanceof KafkaConnectionError &&
    e.message === `C got no answer from ${address} in 300 ms`);
  await again.close();
  peer.close();
});

testNoTimerLeftPending();
