/**
 * One TCP connection to a Kafka broker, TLS where asked: writes request frames, matches responses
 * to requests by correlation id, and lets several requests be in flight at once (the broker
 * answers them in order). Any failure — refused, closed, a request timing out, a garbled response
 * — fails every pending request and closes the connection: the caller connects again and resends.
 *
 * @module
 */

import { ByteReader } from "./wire.ts";
import { after, type Timer } from "../../timer.ts";

/** Largest response accepted: the shipper's answers are small; more means a garbled stream. */
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** The connection to a broker failed, or a request on it did. */
export class KafkaConnectionError extends Error {
  override name = "KafkaConnectionError";
}

interface Pending {
  readonly resolve: (body: ByteReader) => void;
  readonly reject: (error: Error) => void;
  /** When the request fails unanswered (`performance.now()` time). */
  readonly deadline: number;
  /** The error then. */
  readonly timeoutMessage: string;
}

/** A connection to one broker. */
export class BrokerConnection {
  /** `host:port`. */
  readonly address: string;
  readonly #conn: Deno.Conn;
  readonly #pending = new Map<number, Pending>();
  #nextCorrelationId = 1;
  #failure: KafkaConnectionError | undefined;
  readonly #reading: Promise<void>;
  /**
   * One timer for every pending request's deadline, re-armed when it fires: a timer per request
   * would leave one behind per answered request until its delay passed (src/timer.ts cannot
   * free a cancelled one early), thousands of them under a chatty mate.
   */
  #deadlineTimer: Timer | undefined;
  /** The deadline the timer is armed for. */
  #deadlineAt = Number.POSITIVE_INFINITY;

  private constructor(address: string, conn: Deno.Conn) {
    this.address = address;
    this.#conn = conn;
    this.#reading = this.#readLoop();
  }

  /**
   * Connects to `host:port` within `timeoutMs`, the TLS handshake included when `tls` is given.
   *
   * @param tls CA certificates (PEM) to trust besides the system's, for a TLS connection.
   * @param signal Gives up at once when aborted (the pilot is exiting).
   * @throws KafkaConnectionError saying why it could not.
   */
  static async open(
    host: string,
    port: number,
    timeoutMs: number,
    tls?: { readonly caCerts: readonly string[] },
    signal?: AbortSignal,
  ): Promise<BrokerConnection> {
    const address = `${host}:${port}`;
    let timer: Timer | undefined;
    let step = "cannot connect to";
    const connecting = (async () => {
      const tcp = await Deno.connect({ hostname: host, port });
      tcp.setNoDelay(true);
      if (!tls) return tcp;
      step = "the TLS handshake failed with";
      const secure = await Deno.startTls(tcp, { hostname: host, caCerts: [...tls.caCerts] });
      try {
        await secure.handshake();
      } catch (e) {
        secure.close();
        throw e;
      }
      return secure;
    })();
    let onAbort: (() => void) | undefined;
    try {
      const conn = await Promise.race([
        connecting,
        new Promise<never>((_, reject) => {
          timer = after(
            timeoutMs,
            () => reject(new KafkaConnectionError(`no answer from ${address} in ${timeoutMs} ms`)),
          );
          onAbort = () => reject(new KafkaConnectionError(`connecting to ${address} was given up`));
          if (signal?.aborted) onAbort();
          signal?.addEventListener("abort", onAbort, { once: true });
        }),
      ]);
      return new BrokerConnection(address, conn);
    } catch (e) {
      connecting.then((late) => late.close(), () => {});
      if (e instanceof KafkaConnectionError) throw e;
      throw new KafkaConnectionError(`${step} ${address}: ${describe(e)}`);
    } finally {
      timer?.cancel();
      if (onAbort) signal?.removeEventListener("abort", onAbort);
    }
  }

  /** A fresh correlation id for the next request. */
  nextCorrelationId(): number {
    const id = this.#nextCorrelationId;
    this.#nextCorrelationId = id === 0x7fffffff ? 1 : id + 1;
    return id;
  }

  /**
   * Writes one request frame and returns once it is written (so `frame`'s memory can be
   * reused), with the promise of its response body.
   *
   * @param what Names the request in errors (e.g. "Produce to logs-0").
   */
  async send(
    frame: Uint8Array,
    correlationId: number,
    timeoutMs: number,
    what: string,
  ): Promise<{ response: Promise<ByteReader> }> {
    if (this.#failure) throw this.#failure;
    const response = new Promise<ByteReader>((resolve, reject) => {
      this.#pending.set(correlationId, {
        resolve,
        reject,
        deadline: performance.now() + timeoutMs,
        timeoutMessage: `${what} got no answer from ${this.address} in ${timeoutMs} ms`,
      });
    });
    this.#watchDeadlines();
    response.catch(() => {}); // a caller that stops waiting must not leave it unhandled
    try {
      for (let written = 0; written < frame.length;) {
        written += await this.#conn.write(frame.subarray(written));
      }
    } catch (e) {
      this.#fail(`${what} could not be written to ${this.address}: ${describe(e)}`);
    }
    return { response };
  }

  /** Sends a request and waits for its response body. */
  async request(
    frame: Uint8Array,
    correlationId: number,
    timeoutMs: number,
    what: string,
  ): Promise<ByteReader> {
    const { response } = await this.send(frame, correlationId, timeoutMs, what);
    return await response;
  }

  /** Closes the connection; pending requests fail. */
  async close(): Promise<void> {
    this.#fail(`the connection to ${this.address} was closed`);
    await this.#reading;
  }

  /** Whether the connection failed or was closed. */
  get closed(): boolean {
    return this.#failure !== undefined;
  }

  #fail(message: string): void {
    if (this.#failure) return;
    this.#failure = new KafkaConnectionError(message);
    this.#deadlineTimer?.cancel();
    this.#deadlineTimer = undefined;
    for (const pending of this.#pending.values()) pending.reject(this.#failure);
    this.#pending.clear();
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
  }

  async #readLoop(): Promise<void> {
    let buffered = new Uint8Array(64 * 1024);
    let length = 0;
    const chunk = new Uint8Array(256 * 1024);
    try {
      while (true) {
        const n = await this.#conn.read(chunk);
        if (n === null) {
          this.#fail(`${this.address} closed the connection`);
          return;
        }
        if (length + n > buffered.length) {
          const grown = new Uint8Array(Math.max(buffered.length * 2, length + n));
          grown.set(buffered.subarray(0, length));
          buffered = grown;
        }
        buffered.set(chunk.subarray(0, n), length);
        length += n;
        const consumed = this.#dispatch(buffered, length);
        if (consumed > 0) {
          buffered.copyWithin(0, consumed, length);
          length -= consumed;
        }
      }
    } catch (e) {
      this.#fail(`reading from ${this.address} failed: ${describe(e)}`);
    }
  }

  /**
   * Arms the deadline timer for the earliest pending deadline, unless it is armed for that or an
   * earlier one (answered requests' deadlines are left to pass): when it fires, it fails the
   * connection or re-arms for what is pending.
   */
  #watchDeadlines(): void {
    if (this.#failure) return;
    let earliest = Number.POSITIVE_INFINITY;
    for (const pending of this.#pending.values()) earliest = Math.min(earliest, pending.deadline);
    if (earliest === Number.POSITIVE_INFINITY || earliest >= this.#deadlineAt) return;
    this.#deadlineTimer?.cancel(); // a request with a shorter timeout than those before it
    this.#deadlineAt = earliest;
    this.#deadlineTimer = after(earliest - performance.now(), () => {
      this.#deadlineTimer = undefined;
      this.#deadlineAt = Number.POSITIVE_INFINITY;
      const now = performance.now();
      for (const pending of this.#pending.values()) {
        // A timer may fire a fraction of a millisecond early by the clock's rounding.
        if (pending.deadline <= now + 1) return this.#fail(pending.timeoutMessage);
      }
      this.#watchDeadlines();
    });
  }

  /** Hands every complete frame to its request; returns the bytes consumed. */
  #dispatch(buffered: Uint8Array, length: number): number {
    const view = new DataView(buffered.buffer, buffered.byteOffset, length);
    let at = 0;
    while (length - at >= 4) {
      const size = view.getInt32(at);
      if (size < 4 || size > MAX_RESPONSE_BYTES) {
        // A TLS record (an alert or a handshake) begins 0x15 or 0x16, then version 0x03.
        if ((size >>> 24 === 0x15 || size >>> 24 === 0x16) && ((size >>> 16) & 0xff) === 0x03) {
          throw new Error("the broker answered with TLS: it expects a TLS connection");
        }
        throw new Error(`a response frame of ${size} bytes (expected 4 to ${MAX_RESPONSE_BYTES})`);
      }
      if (length - at - 4 < size) break;
      const correlationId = view.getInt32(at + 4);
      const pending = this.#pending.get(correlationId);
      if (!pending) throw new Error(`a response to unknown request ${correlationId}`);
      this.#pending.delete(correlationId);
      pending.resolve(new ByteReader(buffered.slice(at + 8, at + 4 + size)));
      at += 4 + size;
    }
    return at;
  }
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
