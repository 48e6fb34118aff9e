/**
 * Ships buffered records to Kafka: connects (readiness is Kafka's own connection and metadata),
 * sends in order in size-capped batches, keeps records until acknowledged, reconnects with
 * jittered backoff, reports how many records were dropped while Kafka was away, and flushes for
 * a bounded time on exit. Pushing never waits on Kafka.
 *
 * @module
 */

import type { LogRecord } from "../deps.ts";
import type { Producer } from "./kafkajs.ts";
import { BoundedBuffer, type BufferedRecord, type PushOptions } from "./bounded_buffer.ts";
import { type RecordMetadata, recordValue } from "./record.ts";

/** Longest line part sent as one record; the broker's default limit is about 1 MiB. */
export const MAX_RECORD_BYTES = 900 * 1024;
const MAX_BATCH_RECORDS = 4000;
const MAX_BATCH_BYTES = 700 * 1024;
const LINGER_MS = 5;

/** Options of {@linkcode KafkaShipper}. */
export interface ShipperOptions {
  /** Bootstrap brokers, `host:port`. */
  readonly brokers: readonly string[];
  /** Topic. */
  readonly topic: string;
  /** Who produces the records. */
  readonly meta: RecordMetadata;
  /** Buffer limit in records. */
  readonly maxRecords: number;
  /** Buffer limit in bytes. */
  readonly maxBytes: number;
  /** Reports Kafka going away or coming back (once per change). */
  readonly onStateChange?: (connected: boolean, reason: string) => void;
  /** First reconnect delay (ms); default 200. */
  readonly retryInitialMs?: number;
  /** Longest reconnect delay (ms); default 5000. */
  readonly retryMaxMs?: number;
}

/** Sends log records to Kafka in the background. */
export class KafkaShipper {
  readonly #options: ShipperOptions;
  readonly #buffer: BoundedBuffer;
  #producer: Producer | undefined;
  #connected = false;
  #closed = false;
  #wake: (() => void) | undefined;
  #stopSleep: (() => void) | undefined;
  #loop: Promise<void> | undefined;
  #failures = 0;
  #sent = 0;

  /** Creates the shipper; call {@linkcode start} to connect. */
  constructor(options: ShipperOptions) {
    this.#options = options;
    this.#buffer = new BoundedBuffer(options.maxRecords, options.maxBytes);
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
  push(
    stream: BufferedRecord["stream"],
    line: Uint8Array | string,
    options?: PushOptions,
  ): void {
    this.#buffer.push(stream, line, performance.timeOrigin + performance.now(), options);
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
    await this.#producer?.disconnect().catch(() => {});
    return this.#buffer.length;
  }

  async #run(): Promise<void> {
    const { Kafka, logLevel } = await import("./kafkajs.ts");
    const kafka = new Kafka({
      clientId: `amp-pilot-${this.#options.meta.serviceId}`,
      brokers: [...this.#options.brokers],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 3000,
      requestTimeout: 10_000,
      retry: { retries: 0 },
    });
    while (!this.#closed) {
      if (!this.#connected) {
        await this.#connect(kafka);
        continue;
      }
      if (this.#buffer.length === 0 && this.#buffer.dropped === 0) {
        await new Promise<void>((resolve) => (this.#wake = resolve));
        this.#wake = undefined;
        await new Promise((r) => setTimeout(r, LINGER_MS)); // let a batch gather
        continue;
      }
      await this.#sendBatch();
    }
  }

  async #connect(kafka: InstanceType<typeof import("./kafkajs.ts").Kafka>): Promise<void> {
    try {
      await this.#producer?.disconnect().catch(() => {});
      this.#producer = kafka.producer({ allowAutoTopicCreation: true });
      await this.#producer.connect();
      this.#connected = true;
      this.#failures = 0;
      this.#options.onStateChange?.(true, "connected");
    } catch (e) {
      if (this.#failures === 0) this.#options.onStateChange?.(false, describe(e));
      await this.#sleep(this.#backoff());
    }
  }

  async #sendBatch(): Promise<void> {
    const batch = this.#buffer.peek(MAX_BATCH_RECORDS, MAX_BATCH_BYTES);
    const dropped = this.#buffer.dropped;
    const key = this.#options.meta.serviceId;
    const messages = batch.map((r) => ({
      key,
      value: JSON.stringify(recordValue(this.#options.meta, r)),
    }));
    if (dropped > 0) messages.unshift({ key, value: JSON.stringify(this.#droppedRecord(dropped)) });
    try {
      await this.#producer!.send({ topic: this.#options.topic, messages, acks: -1 });
      const last = batch.at(-1);
      if (last) this.#buffer.acknowledge(last.seq);
      this.#buffer.acknowledgeDropped(dropped);
      this.#sent += batch.length;
    } catch (e) {
      this.#connected = false;
      this.#failures = 1;
      this.#options.onStateChange?.(false, describe(e));
      await this.#sleep(this.#backoff());
    }
  }

  #droppedRecord(count: number): Record<string, unknown> {
    const message = `${count} log records were dropped while Kafka was unreachable ` +
      "(the buffer was full; the oldest were dropped first)";
    const record: BufferedRecord = {
      seq: 0,
      stream: "pilot",
      timeMs: performance.timeOrigin + performance.now(),
      line: message,
      level: "warning",
      size: 0,
    };
    return { ...recordValue(this.#options.meta, record), dropped: count };
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

function renderValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof Error) return value.message;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
