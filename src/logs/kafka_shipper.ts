/**
 * Ships buffered records to Kafka: connects (readiness is Kafka's own connection and metadata),
 * sends in order in size-capped batches with a few requests in flight, keeps records until
 * acknowledged, reconnects with jittered backoff, reports how many records were dropped while
 * Kafka was away, and flushes for a bounded time on exit. Pushing never waits on Kafka.
 *
 * With an idempotent producer, the batches in flight when a connection fails are sent again
 * exactly as they were (same records, same sequence numbers), so the broker drops those it had
 * already written: a lost answer does not duplicate records.
 *
 * Loss is counted exactly: a record dropped from the full buffer after it was sent and before
 * Kafka answered is not counted until Kafka tells whether it has it. When such a batch has to be
 * sent again and cannot be (its records are gone), the next batch, numbered after it, asks Kafka:
 * accepted, the batch was written; refused as out of order, it was not, and its dropped records
 * are counted. Only when several such batches are in doubt and Kafka refuses is it unknown which
 * of the earlier ones it has: their dropped records are all counted (at most, not exactly), as
 * are those of failed batches of a producer without an id (Kafka older than 0.11).
 *
 * @module
 */

import type { LogRecord } from "../log/record.ts";
import { BoundedBuffer, type BufferedRecord, type PushOptions } from "./bounded_buffer.ts";
import { KafkaConnectionError } from "./kafka/connection.ts";
import { PartitionProducer, type PartitionProducerOptions } from "./kafka/producer.ts";
import { KafkaDecodeError } from "./kafka/wire.ts";
import {
  isDuplicateCode,
  isIdentityLostCode,
  isTooLargeCode,
  KafkaProtocolError,
  type ProduceResult,
} from "./kafka/protocol.ts";
import { PlainRecordEncoder } from "./plain_record.ts";
import { recordJson, type RecordMetadata, recordValue } from "./record.ts";
import { renderMessage } from "../log/json_line.ts";
import { after, sleep } from "../timer.ts";

/** Bytes of one record batch, below the broker's default limit of 1 MiB. */
const MAX_BATCH_BYTES = 900 * 1024;
/** Produce requests written before the first is answered. */
const MAX_IN_FLIGHT = 4;
const LINGER_MS = 5;
/** Quick retries of errors Kafka calls retriable (a topic being created, a leader moving). */
const QUICK_RETRIES = 20;
const QUICK_RETRY_MS = 100;
/** Kafka's sequence numbers wrap to 0 after 2^31 - 1. */
const SEQUENCE_WRAP = 2 ** 31;
/** OUT_OF_ORDER_SEQUENCE_NUMBER: Kafka lacks the batches before this one. */
const OUT_OF_ORDER_SEQUENCE = 45;

/** Options of {@linkcode KafkaShipper}; `tls` and `sasl` are the producer's. */
export interface ShipperOptions extends Pick<PartitionProducerOptions, "tls" | "sasl"> {
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
  /**
   * Reports why records sent again may be written twice: the cluster gave no idempotent
   * producer id (said once), or it lost track of the one it gave.
   */
  readonly onDuplicatesPossible?: (reason: string) => void;
  /** First reconnect delay (ms); default 200. */
  readonly retryInitialMs?: number;
  /** Longest reconnect delay (ms); default 5000. */
  readonly retryMaxMs?: number;
}

/**
 * What a Produce request holds: enough to build the same batch again (its buffered records are
 * consecutive: the `records` up to `lastSeq`).
 */
interface BatchPlan {
  /** Buffer sequence number of its last buffered record (-1: none, only the dropped report). */
  readonly lastSeq: number;
  /** Buffered records in it. */
  readonly records: number;
  /** The dropped count it reports (0: none). */
  readonly droppedReported: number;
  /** Kafka sequence number of its first record (the dropped report counts as one). */
  readonly baseSequence: number;
}

/** A Produce request written and not yet answered. */
interface InFlight extends BatchPlan {
  readonly result: Promise<ProduceResult>;
  /** The first batch written after batches in doubt: its answer settles the doubt. */
  readonly probe: boolean;
}

/**
 * Batches to send again whose first records were dropped from the full buffer meanwhile: Kafka
 * may or may not have written them, and the next batch accepted or refused tells.
 */
type Doubt = Omit<BatchPlan, "baseSequence">;

/** What {@linkcode KafkaShipper.close} could not deliver. */
export interface ShipperLoss {
  /** Records dropped from the full buffer and not reported to Kafka. */
  readonly dropped: number;
  /** Records still held (some of them may have been sent, without an answer). */
  readonly held: number;
  /**
   * Records dropped from the full buffer after they were sent (or reported as dropped), without
   * an answer from Kafka: it may have them (or the report).
   */
  readonly unconfirmed: number;
}

/** Sends log records to Kafka in the background. */
export class KafkaShipper {
  readonly #options: ShipperOptions;
  readonly #buffer: BoundedBuffer;
  readonly #inFlight: InFlight[] = [];
  /** Batches in flight when the connection failed, to be sent again first, as they were. */
  #resend: BatchPlan[] = [];
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
  /** Kafka sequence number of the next new batch's first record. */
  #sequence = 0;
  #batchBytes = MAX_BATCH_BYTES;
  #saidNotIdempotent = false;
  #doubt: Doubt | undefined;
  /** Records below this buffer sequence number are in batches not yet answered. */
  #pinned = 0;
  /** Ends every wait on Kafka when the shipper is closed. */
  readonly #abort = new AbortController();

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

  /** Records dropped from the full buffer since the start, reported to Kafka or not. */
  get droppedTotal(): number {
    return this.#buffer.droppedTotal;
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

  /** Queues a pilot log record (the logger's extra sink). */
  pushLogRecord(record: LogRecord): void {
    // The same words as the pilot's own log line (json_line.ts): one record shape.
    const text = renderMessage(record.message);
    this.push("pilot", text, { level: record.level });
  }

  /** Starts connecting and sending in the background. */
  start(): void {
    this.#loop ??= this.#run();
  }

  /**
   * Sends what is buffered (and the dropped count) for at most `timeoutMs`, then stops at once,
   * whatever the connection is doing.
   *
   * @returns What could not be delivered.
   */
  async close(timeoutMs: number): Promise<ShipperLoss> {
    const deadline = Date.now() + timeoutMs;
    while (this.#undelivered() && this.#loop && Date.now() < deadline) {
      await sleep(Math.min(5, deadline - Date.now()));
    }
    this.#closed = true;
    this.#abort.abort();
    this.#wake?.();
    this.#stopSleep?.();
    await this.#loop;
    await this.#producer?.close();
    const unresolved = [...this.#inFlight, ...this.#resend];
    const reported = this.#reportsUnanswered();
    return {
      dropped: this.#buffer.dropped - reported,
      held: this.#buffer.length,
      unconfirmed: unresolved.reduce((n, b) => n + this.#evicted(b), this.#doubtEvicted()) +
        reported,
    };
  }

  #undelivered(): boolean {
    return this.#buffer.length > 0 || this.#buffer.dropped > 0 || this.#inFlight.length > 0 ||
      this.#resend.length > 0 || this.#doubt !== undefined;
  }

  async #run(): Promise<void> {
    const brokers = this.#options.brokers;
    this.#producer = new PartitionProducer({
      brokers: typeof brokers === "function" ? discovery(brokers) : () => Promise.resolve(brokers),
      clientId: `amp-pilot-${this.#options.meta.serviceId}`,
      topic: this.#options.topic,
      key: new TextEncoder().encode(this.#options.meta.serviceId),
      connectTimeoutMs: 3_000,
      requestTimeoutMs: 10_000,
      tls: this.#options.tls,
      sasl: this.#options.sasl,
      signal: this.#abort.signal,
    });
    while (!this.#closed) {
      if (!this.#connected) {
        await this.#connect();
      } else if (this.#inFlight.length < MAX_IN_FLIGHT && this.#resend.length > 0) {
        await this.#sendAgain(this.#resend[0]!);
      } else if (this.#inFlight.length < MAX_IN_FLIGHT && this.#hasWork()) {
        await this.#sendBatch();
      } else if (this.#inFlight.length > 0) {
        await this.#settleOldest();
      } else {
        await new Promise<void>((resolve) => (this.#wake = resolve));
        this.#wake = undefined;
        await this.#sleep(LINGER_MS); // let a batch gather
      }
    }
  }

  async #connect(): Promise<void> {
    try {
      await this.#producer!.connect();
      this.#connected = true;
      this.#nextSeq = this.#firstUnsent();
      this.#report(true, "connected");
      this.#sayIfNotIdempotent();
    } catch (e) {
      if (this.#closed) return;
      this.#report(false, describe(e));
      await this.#sleep(this.#backoff());
    }
  }

  #sayIfNotIdempotent(): void {
    const producer = this.#producer!;
    if (producer.idempotent || this.#saidNotIdempotent) return;
    this.#saidNotIdempotent = true;
    this.#options.onDuplicatesPossible?.(
      `Kafka gave no idempotent producer id: ${producer.notIdempotentBecause}`,
    );
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

  /** Whether a request not yet answered already reports the dropped count (one at a time). */
  #droppedReportInFlight(): boolean {
    return this.#reportsUnanswered() > 0;
  }

  /** The dropped counts reported by requests not yet answered. */
  #reportsUnanswered(): number {
    let count = this.#doubt?.droppedReported ?? 0;
    for (const batch of this.#inFlight) count += batch.droppedReported;
    for (const batch of this.#resend) count += batch.droppedReported;
    return count;
  }

  /** Sends a new batch: the records after the last one written, and the dropped count if due. */
  async #sendBatch(): Promise<void> {
    const count = await this.#write({
      from: this.#nextSeq,
      droppedReported: this.#droppedReportInFlight() ? 0 : this.#buffer.dropped,
      baseSequence: this.#sequence,
      maxRecords: Number.MAX_SAFE_INTEGER,
      maxBytes: this.#batchBytes,
    });
    if (count !== undefined) this.#sequence = (this.#sequence + count) % SEQUENCE_WRAP;
  }

  /**
   * Sends a batch again as it was. When some of its records were dropped meanwhile (the buffer
   * was full), it cannot be: Kafka may have written it or not, and the next batch tells (a
   * {@linkcode Doubt}).
   */
  async #sendAgain(plan: BatchPlan): Promise<void> {
    if (this.#evicted(plan) > 0) {
      this.#doubtAbout(this.#resend.shift()!);
      return;
    }
    const count = await this.#write({
      from: plan.lastSeq - plan.records + 1,
      droppedReported: plan.droppedReported,
      baseSequence: plan.baseSequence,
      maxRecords: plan.records,
      maxBytes: Infinity,
    });
    if (count !== undefined) this.#resend.shift(); // else it is still first to send again
  }

  /**
   * Builds and writes one batch of the buffered records from `from` on; on success it is in
   * flight.
   *
   * @returns The number of Kafka records in it, or undefined when it could not be written.
   */
  async #write(
    batch: Omit<BatchPlan, "lastSeq" | "records"> & {
      from: number;
      maxRecords: number;
      maxBytes: number;
    },
  ): Promise<number | undefined> {
    const { droppedReported, maxBytes } = batch;
    const meta = this.#options.meta;
    const plain = this.#plain;
    let lastSeq = -1;
    let records = 0;
    try {
      const now = performance.timeOrigin + performance.now();
      const sent = await this.#producer!.produce(now, batch.baseSequence, (builder) => {
        if (droppedReported > 0) {
          builder.add(now, this.#droppedRecordJson(droppedReported), maxBytes);
        }
        if (batch.maxRecords === 0) return;
        records = this.#buffer.visit(batch.from, batch.maxRecords, (record) => {
          const length = plain.valueLength(record);
          const added = length < 0
            ? builder.add(record.timeMs, recordJson(meta, record), maxBytes)
            : builder.addEncoded(record.timeMs, length, plain, record, maxBytes);
          if (!added) return false;
          lastSeq = record.seq;
          return true;
        });
        this.#pin(lastSeq + 1); // sent from here on, whatever happens
      });
      if (lastSeq >= 0) this.#nextSeq = lastSeq + 1;
      this.#inFlight.push({
        lastSeq,
        records,
        droppedReported,
        baseSequence: batch.baseSequence,
        result: sent.result,
        probe: this.#doubt !== undefined && !this.#inFlight.some((f) => f.probe),
      });
      this.#repin();
      return sent.count;
    } catch (e) {
      this.#repin();
      await this.#failed(e);
      return undefined;
    }
  }

  /** Records of `batch` dropped from the full buffer (the oldest are dropped first). */
  #evicted(batch: Pick<BatchPlan, "lastSeq" | "records">): number {
    if (batch.records === 0) return 0;
    const first = batch.lastSeq - batch.records + 1;
    return Math.max(0, Math.min(batch.lastSeq + 1, this.#buffer.headSeq) - first);
  }

  /** The first record no batch holds (to send, to send again, or in doubt). */
  #firstUnsent(): number {
    return Math.max(this.#buffer.headSeq, (this.#doubt?.lastSeq ?? -1) + 1);
  }

  /** Records of the batches in doubt dropped from the full buffer. */
  #doubtEvicted(): number {
    return this.#doubt ? this.#evicted(this.#doubt) : 0;
  }

  /** Pins the records of every batch not yet answered: Kafka may have them. */
  #repin(): void {
    this.#pinned = 0;
    this.#pin((this.#doubt?.lastSeq ?? -1) + 1);
    for (const batch of this.#inFlight) this.#pin(batch.lastSeq + 1);
    for (const batch of this.#resend) this.#pin(batch.lastSeq + 1);
    this.#buffer.pinUntil(this.#pinned);
  }

  #pin(until: number): void {
    if (until <= this.#pinned) return;
    this.#pinned = until;
    this.#buffer.pinUntil(until);
  }

  /** `batch` cannot be sent again: it is in doubt until the next batch is answered. */
  #doubtAbout(batch: BatchPlan): void {
    const doubt = this.#doubt;
    this.#doubt = {
      lastSeq: Math.max(doubt?.lastSeq ?? -1, batch.lastSeq),
      records: (doubt?.records ?? 0) + batch.records,
      droppedReported: (doubt?.droppedReported ?? 0) + batch.droppedReported,
    };
    this.#nextSeq = Math.max(this.#nextSeq, this.#firstUnsent());
    this.#repin();
  }

  /**
   * The first batch after the ones in doubt was answered: `written` tells whether Kafka has
   * them. When it has not, neither has it any batch after them, and sending starts over with a
   * new producer id from the oldest record held: nothing is written twice.
   */
  async #resolveDoubt(written: boolean): Promise<void> {
    if (written) {
      const doubt = this.#doubt!;
      this.#doubt = undefined;
      this.#buffer.acknowledge(doubt.lastSeq);
      this.#buffer.acknowledgeDropped(doubt.droppedReported);
      this.#sent += doubt.records;
      this.#repin();
      return;
    }
    this.#startOver();
    this.#connected = false;
    await this.#producer!.close();
  }

  async #settleOldest(): Promise<void> {
    const oldest = this.#inFlight[0]!;
    try {
      await oldest.result;
    } catch (e) {
      if (
        oldest.probe && this.#doubt && e instanceof KafkaProtocolError &&
        e.code === OUT_OF_ORDER_SEQUENCE
      ) {
        await this.#resolveDoubt(false);
        return;
      }
      if (!(e instanceof KafkaProtocolError && isDuplicateCode(e.code))) {
        await this.#refused(oldest, e);
        return;
      }
      // The broker had written this batch before: it is acknowledged all the same.
    }
    if (oldest.probe && this.#doubt) await this.#resolveDoubt(true); // numbered after them
    this.#inFlight.shift();
    this.#repin();
    if (oldest.lastSeq >= 0) this.#buffer.acknowledge(oldest.lastSeq);
    this.#buffer.acknowledgeDropped(oldest.droppedReported);
    this.#sent += oldest.records;
    this.#quickRetries = 0;
    this.#failures = 0; // only an acknowledged batch proves Kafka works again
  }

  /** The oldest batch in flight failed with `e`. */
  async #refused(oldest: InFlight, e: unknown): Promise<void> {
    if (e instanceof KafkaProtocolError && isTooLargeCode(e.code)) {
      this.#tooLarge(oldest, e);
    } else if (e instanceof KafkaProtocolError && isIdentityLostCode(e.code)) {
      this.#startOver(`sending starts over with a new producer id (${e.message})`);
      await this.#failed(e);
    } else {
      await this.#failed(e);
    }
  }

  /**
   * Forgets the batches to send again and the producer id: the next connection asks for a new
   * one and sends from the oldest record held. With `duplicatesPossible` (the reason), records
   * written before may be written twice, and the records of those batches dropped from the full
   * buffer, which Kafka may or may not have, are counted as dropped.
   */
  #startOver(duplicatesPossible?: string): void {
    this.#abandonInFlight();
    for (const batch of this.#resend) this.#buffer.countDropped(this.#evicted(batch));
    this.#resend = [];
    this.#buffer.countDropped(this.#doubtEvicted());
    this.#doubt = undefined;
    this.#repin();
    this.#sequence = 0;
    this.#producer!.renewIdentity();
    if (duplicatesPossible) this.#options.onDuplicatesPossible?.(duplicatesPossible);
  }

  /**
   * A batch the broker finds too large: a lone record is given up (it never fits); otherwise
   * batches shrink, for good (the topic's limit stays), and everything from this one on is sent
   * again.
   */
  #tooLarge(batch: InFlight, e: KafkaProtocolError): void {
    this.#abandonInFlight(); // none of them was written: their dropped records are lost
    for (const plan of this.#resend) this.#buffer.countDropped(this.#evicted(plan));
    this.#resend = [];
    this.#repin();
    // Neither it nor any batch after it was written (with an idempotent producer the broker
    // refuses those after it as out of order): their sequence numbers are used again.
    this.#sequence = batch.baseSequence;
    if (batch.records <= 1 && batch.droppedReported === 0) {
      if (batch.lastSeq >= 0) this.#buffer.acknowledge(batch.lastSeq);
      this.#options.onRecordRejected?.(describe(e));
    } else {
      this.#batchBytes = Math.max(1, Math.floor(this.#batchBytes / 2));
    }
    this.#connected = false; // the answers to the requests after it go with the connection
  }

  /**
   * Something failed: everything in flight is sent again after reconnecting; as it was, when the
   * producer is idempotent, so that the broker drops what it had already written.
   */
  async #failed(e: unknown): Promise<void> {
    if (this.#closed) return; // closing: what is in flight stays unanswered
    if (this.#producer!.idempotent) {
      this.#resend = [...this.#inFlight, ...this.#resend];
      this.#inFlight.length = 0;
    }
    this.#abandonInFlight();
    this.#repin();
    this.#connected = false;
    await this.#producer!.close();
    if (isRetriable(e) && this.#quickRetries < QUICK_RETRIES) {
      this.#quickRetries++;
      await this.#sleep(QUICK_RETRY_MS);
      return;
    }
    this.#quickRetries = 0;
    this.#report(false, describe(e));
    await this.#sleep(this.#backoff());
  }

  /**
   * Forgets the batches in flight (they will not be sent again as they were); their records
   * dropped from the full buffer meanwhile count as dropped.
   */
  #abandonInFlight(): void {
    for (const batch of this.#inFlight) this.#buffer.countDropped(this.#evicted(batch));
    this.#inFlight.length = 0;
    this.#nextSeq = this.#firstUnsent();
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
      const timer = after(ms, resolve);
      this.#stopSleep = () => {
        timer.cancel();
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

/**
 * A broker lookup whose failure (ZooKeeper down, its client missing) is Kafka being unreachable,
 * not a fault of the shipper.
 */
function discovery(find: () => Promise<string[]>): () => Promise<string[]> {
  return () =>
    find().catch((e: unknown) => {
      throw new KafkaConnectionError(e instanceof Error ? e.message : String(e));
    });
}

/** A Kafka failure as it is; anything else is a fault of the shipper itself, and says so. */
function describe(e: unknown): string {
  if (e instanceof KafkaConnectionError || e instanceof KafkaProtocolError) return e.message;
  if (e instanceof KafkaDecodeError) return `a garbled answer from Kafka: ${e.message}`;
  return `internal error of the Kafka shipper (please report it): ${
    e instanceof Error ? `${e.name}: ${e.message}` : String(e)
  }`;
}
