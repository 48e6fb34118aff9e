/**
 * Ships buffered records to Kafka: connects (readiness is Kafka's own connection and metadata),
 * sends in order in size-capped batches with a few requests in flight, keeps records until
 * acknowledged, reconnects with jittered backoff, reports how many records were dropped while
 * Kafka was away, and flushes for a bounded time on exit. Pushing never waits on Kafka.
 *
 * @module
 */

import type { LogRecord } from "../deps.ts";
import { BoundedBuffer, type BufferedRecord, type PushOptions } from "./bounded_buffer.ts";
import { KafkaConnectionError } from "./kafka/connection.ts";
import { PartitionProducer } from "./kafka/producer.ts";
import { KafkaDecodeError } from "./kafka/wire.ts";
import { isTooLargeCode, KafkaProtocolError, type ProduceResult } from "./kafka/protocol.ts";
import { PlainRecordEncoder } from "./plain_record.ts";
import { recordJson, type RecordMetadata, recordValue } from "./record.ts";

/** Bytes of one record batch, below the broker's default limit of 1 MiB. */
const MAX_BATCH_BYTES = 900 * 1024;
/** Produce requests written before the first is answered. */
const MAX_IN_FLIGHT = 4;
const LINGER_MS = 5;
/** Quick retries of errors Kafka calls retriable (a topic being created, a leader moving). */
const QUICK_RETRIES = 20;
const QUICK_RETRY_MS = 100;

/** Options of {@linkcode KafkaShipper}. */
export interface ShipperOptions {
  /**
   * Bootstrap brokers, `host:port`, or a function that finds them (ZooKeeper discovery); it is
   * called again on every reconnection, so brokers are discovered again when all known fail.
   */
  readonly brokers: readonly string[] | (() => Promise<string[]>);
  /** Topic. */
  readonly topic: string;
  /** Who produces the records. */
  readonly meta: RecordMetadata;
  /** Buffer limit in records. */
  readonly maxRecords: number;
  /** Buffer limit in bytes. */
  readonly maxBytes: number;
  /** Reports a record the broker refused for good (too large), which is given up. */
  readonly onRecordRejected?: (reason: string) => void;
  /** Reports Kafka going away or coming back (once per change). */
  readonly onStateChange?: (connected: boolean, reason: string) => void;
  /** First reconnect delay (ms); default 200. */
  readonly retryInitialMs?: number;
  /** Longest reconnect delay (ms); default 5000. */
  readonly retryMaxMs?: number;
}

/** A Produce request written and not yet answered. */
interface InFlight {
  /** Sequence number of its last buffered record (-1: none, only the dropped report). */
  readonly lastSeq: number;
  /** Buffered records in it. */
  readonly records: number;
  /** The dropped count it reports (0: none). */
  readonly droppedReported: number;
  readonly result: Promise<ProduceResult>;
}

/** Sends log records to Kafka in the background. */
export class KafkaShipper {
  readonly #options: ShipperOptions;
  readonly #buffer: BoundedBuffer;
  readonly #inFlight: InFlight[] = [];
  readonly #plain: PlainRecordEncoder;
  #producer: PartitionProducer | undefined;
  #connected = false;
  #closed = false;
  #wake: (() => void) | undefined;
  #stopSleep: (() => void) | undefined;
  #loop: Promise<void> | undefined;
  #failures = 0;
  #quickRetries = 0;
  /** The state last reported: each change is reported once. */
  #reported: boolean | undefined;
  #sent = 0;
  /** The next record to send: after the last one written to Kafka. */
  #nextSeq = 0;
  #batchBytes = MAX_BATCH_BYTES;

  /** Creates the shipper; call {@linkcode start} to connect. */
  constructor(options: ShipperOptions) {
    this.#options = options;
    this.#buffer = new BoundedBuffer(options.maxRecords, options.maxBytes);
    this.#plain = new PlainRecordEncoder(options.meta);
  }

  /** Records waiting for Kafka. */
  get buffered(): number {
    return this.#buffer.length;
  }

  /** Bytes waiting for Kafka. */
  get bufferedBytes(): number {
    return this.#buffer.bytes;
  }

  /** Records dropped and not yet reported. */
  get dropped(): number {
    return this.#buffer.dropped;
  }

  /** Records acknowledged by Kafka so far. */
  get sent(): number {
    return this.#sent;
  }

  /** Queues a record; never waits. */
  push(stream: BufferedRecord["stream"], line: Uint8Array | string, options?: PushOptions): void {
    this.#buffer.push(stream, line, performance.timeOrigin + performance.now(), options);
    this.#wake?.();
  }

  /**
   * Queues `source[start, end)` as a mate line (the hot path: nothing is allocated).
   *
   * @param part 0 for a whole line, n for part n of a line, -n for its last part n.
   */
  pushRange(
    stream: "stdout" | "stderr",
    source: Uint8Array,
    start: number,
    end: number,
    timeMs: number,
    part: number,
  ): void {
    this.#buffer.pushRange(stream, source, start, end, timeMs, part);
    this.#wake?.();
  }

  /** Queues a pilot log record (the LogTape sink). */
  pushLogRecord(record: LogRecord): void {
    const text = record.message
      .map((part) => typeof part === "string" ? part : renderValue(part))
      .join("");
    this.push("pilot", text, { level: record.level });
  }

  /** Starts connecting and sending in the background. */
  start(): void {
    this.#loop ??= this.#run();
  }

  /**
   * Sends what is buffered for at most `timeoutMs`, then stops.
   *
   * @returns How many records were left unsent.
   */
  async close(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.#buffer.length > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
    }
    this.#closed = true;
    this.#wake?.();
    this.#stopSleep?.();
    await this.#loop;
    await this.#producer?.close();
    return this.#buffer.length;
  }

  async #run(): Promise<void> {
    const brokers = this.#options.brokers;
    this.#producer = new PartitionProducer({
      brokers: typeof brokers === "function" ? brokers : () => Promise.resolve(brokers),
      clientId: `amp-pilot-${this.#options.meta.serviceId}`,
      topic: this.#options.topic,
      key: new TextEncoder().encode(this.#options.meta.serviceId),
      connectTimeoutMs: 3_000,
      requestTimeoutMs: 10_000,
    });
    while (!this.#closed) {
      if (!this.#connected) {
        await this.#connect();
      } else if (this.#inFlight.length < MAX_IN_FLIGHT && this.#hasWork()) {
        await this.#sendBatch();
      } else if (this.#inFlight.length > 0) {
        await this.#settleOldest();
      } else {
        await new Promise<void>((resolve) => (this.#wake = resolve));
        this.#wake = undefined;
        await new Promise((r) => setTimeout(r, LINGER_MS)); // let a batch gather
      }
    }
    this.#abandonInFlight();
  }

  async #connect(): Promise<void> {
    try {
      await this.#producer!.connect();
      this.#connected = true;
      this.#nextSeq = this.#buffer.headSeq;
      this.#report(true, "connected");
    } catch (e) {
      this.#report(false, describe(e));
      await this.#sleep(this.#backoff());
    }
  }

  #report(connected: boolean, reason: string): void {
    if (this.#reported === connected) return;
    this.#reported = connected;
    this.#options.onStateChange?.(connected, reason);
  }

  /** Whether records wait to be written, or a dropped count to be reported. */
  #hasWork(): boolean {
    return this.#nextSeq < this.#buffer.headSeq + this.#buffer.length ||
      (this.#buffer.dropped > 0 && !this.#droppedReportInFlight());
  }

  /** Whether a request in flight already reports the dropped count (one at a time). */
  #droppedReportInFlight(): boolean {
    return this.#inFlight.some((f) => f.droppedReported > 0);
  }

  async #sendBatch(): Promise<void> {
    const dropped = this.#droppedReportInFlight() ? 0 : this.#buffer.dropped;
    const meta = this.#options.meta;
    const plain = this.#plain;
    const limit = this.#batchBytes;
    let lastSeq = -1;
    let records = 0;
    try {
      const now = performance.timeOrigin + performance.now();
      const { result } = await this.#producer!.produce(now, (batch) => {
        if (dropped > 0) batch.add(now, this.#droppedRecordJson(dropped), limit);
        records = this.#buffer.visit(this.#nextSeq, Number.MAX_SAFE_INTEGER, (record) => {
          const length = plain.valueLength(record);
          const added = length < 0
            ? batch.add(record.timeMs, recordJson(meta, record), limit)
            : batch.addEncoded(record.timeMs, length, plain, record, limit);
          if (!added) return false;
          lastSeq = record.seq;
          return true;
        });
      });
      if (lastSeq >= 0) this.#nextSeq = lastSeq + 1;
      this.#inFlight.push({ lastSeq, records, droppedReported: dropped, result });
    } catch (e) {
      await this.#failed(e);
    }
  }

  async #settleOldest(): Promise<void> {
    const oldest = this.#inFlight[0]!;
    try {
      await oldest.result;
    } catch (e) {
      if (e instanceof KafkaProtocolError && isTooLargeCode(e.code)) {
        this.#tooLarge(oldest, e);
        return;
      }
      await this.#failed(e);
      return;
    }
    this.#inFlight.shift();
    if (oldest.lastSeq >= 0) this.#buffer.acknowledge(oldest.lastSeq);
    this.#buffer.acknowledgeDropped(oldest.droppedReported);
    this.#sent += oldest.records;
    this.#quickRetries = 0;
    this.#failures = 0; // only an acknowledged batch proves Kafka works again
  }

  /**
   * A batch the broker finds too large: a lone record is given up (it never fits); otherwise
   * batches shrink, for good (the topic's limit stays), and everything from this one on is sent
   * again.
   */
  #tooLarge(batch: InFlight, e: KafkaProtocolError): void {
    this.#abandonInFlight();
    if (batch.records <= 1 && batch.droppedReported === 0) {
      if (batch.lastSeq >= 0) this.#buffer.acknowledge(batch.lastSeq);
      this.#options.onRecordRejected?.(describe(e));
    } else {
      this.#batchBytes = Math.max(1, Math.floor(this.#batchBytes / 2));
    }
    this.#connected = false; // the answers to the requests after it go with the connection
  }

  /** Something failed: everything in flight is sent again after reconnecting. */
  async #failed(e: unknown): Promise<void> {
    this.#abandonInFlight();
    this.#connected = false;
    await this.#producer!.close();
    if (isRetriable(e) && this.#quickRetries < QUICK_RETRIES && !this.#closed) {
      this.#quickRetries++;
      await this.#sleep(QUICK_RETRY_MS);
      return;
    }
    this.#quickRetries = 0;
    this.#report(false, describe(e));
    await this.#sleep(this.#backoff());
  }

  #abandonInFlight(): void {
    this.#inFlight.length = 0;
    this.#nextSeq = this.#buffer.headSeq;
  }

  #droppedRecordJson(count: number): string {
    const message = `${count} log records were dropped while Kafka was unreachable ` +
      "(the buffer was full; the oldest were dropped first)";
    const record: BufferedRecord = {
      seq: 0,
      stream: "pilot",
      timeMs: performance.timeOrigin + performance.now(),
      line: message,
      level: "warning",
    };
    return JSON.stringify({ ...recordValue(this.#options.meta, record), dropped: count });
  }

  #backoff(): number {
    const base = Math.min(
      (this.#options.retryInitialMs ?? 200) * 2 ** this.#failures++,
      this.#options.retryMaxMs ?? 5_000,
    );
    return base * (0.5 + Math.random());
  }

  /** Waits `ms`, or less when {@linkcode close} is called. */
  #sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#stopSleep = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => (this.#stopSleep = undefined));
  }
}

/** Retriable Kafka errors, lost connections and garbled answers (reconnecting may cure them). */
function isRetriable(e: unknown): boolean {
  return (e instanceof KafkaProtocolError && e.retriable) || e instanceof KafkaConnectionError ||
    e instanceof KafkaDecodeError;
}

function renderValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof Error) return value.message;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** A Kafka failure as it is; anything else is a fault of the shipper itself, and says so. */
function describe(e: unknown): string {
  if (e instanceof KafkaConnectionError || e instanceof KafkaProtocolError) return e.message;
  if (e instanceof KafkaDecodeError) return `a garbled answer from Kafka: ${e.message}`;
  return `internal error of the Kafka shipper (please report it): ${
    e instanceof Error ? `${e.name}: ${e.message}` : String(e)
  }`;
}
