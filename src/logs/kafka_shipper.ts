/**
 * Ships buffered records to Kafka: connects (readiness is Kafka's own connection and metadata),
 * sends in order in size-capped batches, keeps records until acknowledged, reconnects with
 * jittered backoff, reports how many records were dropped while Kafka was away, and flushes for
 * a bounded time on exit. Pushing never waits on Kafka.
 *
 * @module
 */

import type { LogRecord } from "../deps.ts";
import type { ICustomPartitioner, Producer } from "./kafkajs.ts";
import { BoundedBuffer, type BufferedRecord, type PushOptions } from "./bounded_buffer.ts";
import { type RecordMetadata, recordValue } from "./record.ts";

/**
 * Longest line part sent as one record. The broker's default limit is about 1 MiB per batch, and
 * JSON escaping can grow a line up to 6 times (binary bytes), so parts stay well below it.
 */
export const MAX_RECORD_BYTES = 128 * 1024;
/**
 * Records per send. kafkajs groups a batch's messages by partition in time quadratic in the
 * batch's length, so batches stay small and the loop sends them back to back.
 */
const MAX_BATCH_RECORDS = 500;
/** Serialised bytes per send, below the broker's default 1 MiB limit. */
const MAX_BATCH_BYTES = 800 * 1024;
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
    await this.#producer?.disconnect().catch(() => {});
    return this.#buffer.length;
  }

  async #run(): Promise<void> {
    const { Kafka, logLevel, Partitioners } = await import("./kafkajs.ts");
    const kafka = new Kafka({
      clientId: `amp-pilot-${this.#options.meta.serviceId}`,
      brokers: typeof this.#options.brokers === "function"
        ? this.#options.brokers
        : [...this.#options.brokers],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 3000,
      requestTimeout: 10_000,
      retry: { retries: 0 },
    });
    while (!this.#closed) {
      if (!this.#connected) {
        await this.#connect(kafka, Partitioners.DefaultPartitioner);
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

  async #connect(
    kafka: InstanceType<typeof import("./kafkajs.ts").Kafka>,
    partitioner: ICustomPartitioner,
  ): Promise<void> {
    try {
      await this.#producer?.disconnect().catch(() => {});
      this.#producer = kafka.producer({
        allowAutoTopicCreation: true,
        createPartitioner: cachedPartitioner(partitioner),
      });
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
    const key = this.#options.meta.serviceId;
    const dropped = this.#buffer.dropped;
    const messages: { key: string; value: string }[] = [];
    let bytes = 0;
    if (dropped > 0) messages.push({ key, value: JSON.stringify(this.#droppedRecord(dropped)) });
    let last: BufferedRecord | undefined;
    for (const record of this.#buffer.peek(MAX_BATCH_RECORDS)) {
      const value = JSON.stringify(recordValue(this.#options.meta, record));
      if (messages.length > 0 && bytes + value.length > MAX_BATCH_BYTES) break;
      messages.push({ key, value });
      bytes += value.length;
      last = record;
    }
    for (let attempt = 0;; attempt++) {
      try {
        await this.#producer!.send({ topic: this.#options.topic, messages, acks: -1 });
        break;
      } catch (e) {
        if (isRetriable(e) && attempt < QUICK_RETRIES && !this.#closed) {
          await this.#sleep(QUICK_RETRY_MS);
          continue;
        }
        if (isTooLarge(e) && messages.length === 1 && last) {
          // One record the broker will never take: give it up rather than retry forever.
          this.#buffer.acknowledge(last.seq);
          this.#options.onRecordRejected?.(describe(e));
          return;
        }
        this.#connected = false;
        this.#failures = 1;
        this.#options.onStateChange?.(false, describe(e));
        await this.#sleep(this.#backoff());
        return;
      }
    }
    if (last) this.#buffer.acknowledge(last.seq);
    this.#buffer.acknowledgeDropped(dropped);
    this.#sent += last ? messages.length - (dropped > 0 ? 1 : 0) : 0;
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

/**
 * The default (murmur2) partitioner, computed once per topic, key and partition count: every
 * record of one pilot has the same key, so hashing each one again is wasted work.
 */
function cachedPartitioner(create: ICustomPartitioner): ICustomPartitioner {
  return () => {
    const partition = create();
    const cache = new Map<string, number>();
    return (args) => {
      const id = `${args.topic}\0${args.message.key}\0${args.partitionMetadata.length}`;
      let chosen = cache.get(id);
      if (chosen === undefined) cache.set(id, chosen = partition(args));
      return chosen;
    };
  };
}

/** kafkajs wraps the broker's error (which says whether it is retriable) in `cause`. */
function isRetriable(e: unknown): boolean {
  for (let error = e, depth = 0; error && depth < 4; depth++) {
    if ((error as { retriable?: boolean }).retriable === true) return true;
    error = (error as { cause?: unknown }).cause;
  }
  return false;
}

function isTooLarge(e: unknown): boolean {
  return /larger than the max message size|MESSAGE_TOO_LARGE/i.test(describe(e));
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
