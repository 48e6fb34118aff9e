/**
 * Produces record batches to the one partition that a key maps to: finds the cluster from the
 * bootstrap brokers (asking for the topic with auto-creation allowed), picks the partition the
 * way Kafka's default partitioner does, connects to its leader, and pipelines Produce requests
 * on that connection. Errors are thrown as they come; the caller decides about retrying.
 *
 * @module
 */

import { BrokerConnection, KafkaConnectionError } from "./connection.ts";
import { partitionForKey } from "./murmur2.ts";
import {
  ApiKey,
  apiVersionsRequest,
  beginProduceRequest,
  chooseVersion,
  decodeApiVersions,
  decodeInitProducerId,
  decodeMetadata,
  decodeProduce,
  decodeSaslAuthenticate,
  decodeSaslHandshake,
  endProduceRequest,
  initProducerIdRequest,
  KafkaProtocolError,
  type Metadata,
  metadataRequest,
  type ProduceResult,
  type ProducerIdentity,
  saslAuthenticateRequest,
  saslHandshakeRequest,
  SUPPORTED_VERSIONS,
  type TopicMetadata,
} from "./protocol.ts";
import { RecordBatchBuilder } from "./record_batch.ts";
import { type SaslCredentials, saslLogin } from "./sasl.ts";
import { type ByteReader, ByteWriter } from "./wire.ts";
import { after, type Timer } from "../../timer.ts";

/** Options of {@linkcode PartitionProducer}. */
export interface PartitionProducerOptions {
  /** Finds the bootstrap brokers (`host:port`); called on every connection. */
  readonly brokers: () => Promise<readonly string[]>;
  /** Client id shown by the broker. */
  readonly clientId: string;
  /** Topic. */
  readonly topic: string;
  /** The key of every record (chooses the partition). */
  readonly key: Uint8Array;
  /** Time to connect to a broker (ms). */
  readonly connectTimeoutMs: number;
  /** Time for a broker to answer a request (ms). */
  readonly requestTimeoutMs: number;
  /** TLS to every broker, trusting these CA certificates (PEM) besides the system's. */
  readonly tls?: { readonly caCerts: readonly string[] };
  /** SASL login on every connection. */
  readonly sasl?: SaslCredentials;
  /**
   * Aborted when the pilot exits: every connection is closed and whatever waits on one (a
   * connection, a request, a retry) fails at once.
   */
  readonly signal?: AbortSignal;
}

/** How many times a topic being created is asked for again, 100 ms apart. */
const TOPIC_CREATION_POLLS = 30;
/** Errors of a topic or partition that mean "not ready yet": the topic is being created. */
const NOT_READY_YET = new Set([3, 5]);
/** How many times a producer id is asked for again, 100 ms apart, while the cluster gets ready. */
const IDENTITY_POLLS = 50;
/** InitProducerId errors that mean "this cluster does not let us be idempotent". */
const IDEMPOTENCE_REFUSED = new Set([29, 31, 35]);

/** Sends record batches for one key to its partition's leader. */
export class PartitionProducer {
  readonly #options: PartitionProducerOptions;
  readonly #writer = new ByteWriter(1024 * 1024);
  #leader: BrokerConnection | undefined;
  #partition = 0;
  #produceVersion = 3;
  /** Whether the last broker opened speaks InitProducerId. */
  #speaksInitProducerId = false;
  /** The idempotent identity; undefined: not asked yet; null: the cluster refused it. */
  #identity: ProducerIdentity | null | undefined;
  /** Why the cluster gave no identity. */
  #refusal = "";
  /** Every connection open, so that aborting closes them all. */
  readonly #connections = new Set<BrokerConnection>();

  /** Creates a producer; call {@linkcode connect} before producing. */
  constructor(options: PartitionProducerOptions) {
    this.#options = options;
    options.signal?.addEventListener("abort", () => {
      for (const connection of this.#connections) void connection.close();
    }, { once: true });
  }

  /** The partition records go to (known once connected). */
  get partition(): number {
    return this.#partition;
  }

  /**
   * Whether batches carry a producer id and sequence numbers, so that the broker drops one it has
   * already written (known once connected).
   */
  get idempotent(): boolean {
    return this.#identity !== null && this.#identity !== undefined;
  }

  /** Why batches are not idempotent ("" when they are, or before connecting). */
  get notIdempotentBecause(): string {
    return this.#refusal;
  }

  /**
   * Forgets the producer id: the next {@linkcode connect} asks for a new one, whose sequence
   * numbers start at 0. For when the broker no longer knows the old one or its sequence.
   */
  renewIdentity(): void {
    if (this.#identity !== null) this.#identity = undefined;
  }

  /** Whether a leader connection is open. */
  get connected(): boolean {
    return this.#leader !== undefined && !this.#leader.closed;
  }

  /**
   * Connects to the leader of the key's partition, asking the bootstrap brokers in turn.
   *
   * @throws KafkaConnectionError naming every broker tried and why each failed, or
   * KafkaProtocolError when the cluster refuses the topic.
   */
  async connect(): Promise<void> {
    await this.close();
    const bootstrap = await this.#unlessAborted(this.#options.brokers());
    if (bootstrap.length === 0) throw new KafkaConnectionError("no Kafka broker is known");
    const failures: string[] = [];
    for (const address of bootstrap) {
      try {
        await this.#connectThrough(address);
        return;
      } catch (e) {
        if (e instanceof KafkaProtocolError && !e.retriable) throw e;
        failures.push(e instanceof Error ? e.message : String(e));
      }
    }
    throw new KafkaConnectionError(failures.join("; "));
  }

  async #connectThrough(address: string): Promise<void> {
    const { host, port } = parseAddress(address);
    const bootstrap = await this.#open(host, port);
    try {
      const topic = await this.#topicMetadata(bootstrap);
      this.#partition = partitionForKey(this.#options.key, topic.metadata.partitions.length);
      const partition = topic.metadata.partitions.find((p) => p.partition === this.#partition);
      const leader = topic.brokers.find((b) => b.nodeId === partition?.leader);
      if (!partition || !leader) {
        throw new KafkaConnectionError(
          `partition ${this.#options.topic}-${this.#partition} has no leader`,
        );
      }
      this.#leader = leader.host === host && leader.port === port
        ? bootstrap
        : await this.#open(leader.host, leader.port);
      if (this.#identity === undefined) await this.#askIdentity(this.#leader);
    } catch (e) {
      const opened = this.#leader;
      this.#leader = undefined;
      if (opened && opened !== bootstrap) await this.#closeConnection(opened);
      throw e;
    } finally {
      if (this.#leader !== bootstrap) await this.#closeConnection(bootstrap);
    }
  }

  /**
   * Asks for a producer id, again while the cluster is still getting ready to give them. A
   * cluster that does not give one (or not within a few seconds) is sent plain batches.
   */
  async #askIdentity(connection: BrokerConnection): Promise<void> {
    if (!this.#speaksInitProducerId) {
      this.#refuseIdentity(`the broker at ${connection.address} does not speak InitProducerId v0`);
      return;
    }
    for (let poll = 0;; poll++) {
      const { errorCode, identity } = decodeInitProducerId(
        await this.#ask(
          connection,
          "InitProducerId",
          (header) => initProducerIdRequest(this.#writer, header),
        ),
      );
      if (errorCode === 0) {
        this.#identity = identity;
        return;
      }
      const error = new KafkaProtocolError(errorCode, `InitProducerId on ${connection.address}`);
      if (IDEMPOTENCE_REFUSED.has(errorCode)) return this.#refuseIdentity(error.message);
      if (!error.retriable) throw error;
      if (poll >= IDENTITY_POLLS) {
        return this.#refuseIdentity(`${error.message}, still after ${IDENTITY_POLLS} tries`);
      }
      await this.#pause(100);
    }
  }

  #refuseIdentity(reason: string): void {
    this.#identity = null;
    this.#refusal = reason;
  }

  /** Encodes one request with `encode` (into the shared writer) and waits for its answer. */
  async #ask(
    connection: BrokerConnection,
    what: string,
    encode: (header: { correlationId: number; clientId: string }) => void,
  ): Promise<ByteReader> {
    const correlationId = connection.nextCorrelationId();
    this.#writer.reset();
    encode({ correlationId, clientId: this.#options.clientId });
    return await connection.request(
      this.#writer.view(),
      correlationId,
      this.#options.requestTimeoutMs,
      what,
    );
  }

  /** Opens a connection and checks that the broker speaks the versions needed. */
  async #open(host: string, port: number): Promise<BrokerConnection> {
    const signal = this.#options.signal;
    const connection = await BrokerConnection.open(
      host,
      port,
      this.#options.connectTimeoutMs,
      this.#options.tls,
      signal,
    );
    this.#connections.add(connection);
    if (signal?.aborted) void connection.close();
    try {
      const { errorCode, versions } = decodeApiVersions(
        await this.#ask(
          connection,
          "ApiVersions",
          (header) => apiVersionsRequest(this.#writer, header),
        ),
      );
      if (errorCode !== 0) {
        throw new KafkaProtocolError(errorCode, `ApiVersions on ${connection.address}`);
      }
      for (const apiKey of [ApiKey.Produce, ApiKey.Metadata]) {
        if (chooseVersion(versions, apiKey) === undefined) {
          const [min, max] = SUPPORTED_VERSIONS[apiKey]!;
          const theirs = versions.get(apiKey);
          throw new KafkaConnectionError(
            `the broker at ${connection.address} does not speak ` +
              `${apiKey === ApiKey.Produce ? "Produce" : "Metadata"} v${min}–v${max} ` +
              `(it speaks ${
                theirs ? `v${theirs[0]}–v${theirs[1]}` : "none"
              }); Kafka 0.11 or newer is needed`,
          );
        }
      }
      this.#produceVersion = chooseVersion(versions, ApiKey.Produce)!;
      this.#speaksInitProducerId = chooseVersion(versions, ApiKey.InitProducerId) !== undefined;
      if (this.#options.sasl) await this.#login(connection, this.#options.sasl);
      return connection;
    } catch (e) {
      await this.#closeConnection(connection);
      throw e;
    }
  }

  async #closeConnection(connection: BrokerConnection): Promise<void> {
    this.#connections.delete(connection);
    await connection.close();
  }

  /** `promise`, or a failure as soon as the signal is aborted. */
  #unlessAborted<T>(promise: Promise<T>): Promise<T> {
    const signal = this.#options.signal;
    if (!signal) return promise;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(new KafkaConnectionError("connecting to Kafka was given up"));
      if (signal.aborted) onAbort();
      signal.addEventListener("abort", onAbort, { once: true });
      promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
    });
  }

  /** Waits `ms`, or fails as soon as the signal is aborted. */
  #pause(ms: number): Promise<void> {
    let timer: Timer | undefined;
    return this.#unlessAborted(new Promise<void>((r) => (timer = after(ms, r))))
      .finally(() => timer?.cancel());
  }

  /** Logs in with SASL: the broker answers nothing else on the connection until then. */
  async #login(connection: BrokerConnection, credentials: SaslCredentials): Promise<void> {
    await saslLogin(credentials, connection.address, {
      handshake: async (mechanism) =>
        decodeSaslHandshake(
          await this.#ask(
            connection,
            "SaslHandshake",
            (header) => saslHandshakeRequest(this.#writer, header, mechanism),
          ),
        ),
      authenticate: async (message) =>
        decodeSaslAuthenticate(
          await this.#ask(
            connection,
            "SaslAuthenticate",
            (header) => saslAuthenticateRequest(this.#writer, header, message),
          ),
        ),
    });
  }

  /**
   * Asks for the topic (creating it where the cluster allows) until its partitions have leaders.
   */
  async #topicMetadata(
    connection: BrokerConnection,
  ): Promise<{ metadata: TopicMetadata; brokers: Metadata["brokers"] }> {
    const { topic } = this.#options;
    for (let poll = 0;; poll++) {
      const metadata = decodeMetadata(
        await this.#ask(
          connection,
          "Metadata",
          (header) => metadataRequest(this.#writer, header, [topic], true),
        ),
      );
      const found = metadata.topics.find((t) => t.name === topic);
      const error = found?.errorCode || found?.partitions.find((p) =>
        p.errorCode !== 0
      )?.errorCode ||
        (found && found.partitions.length === 0 ? 5 : 0) || (found ? 0 : 3);
      if (error === 0 && found) return { metadata: found, brokers: metadata.brokers };
      if (!NOT_READY_YET.has(error) || poll >= TOPIC_CREATION_POLLS) {
        throw new KafkaProtocolError(error, `Metadata for topic ${topic} on ${connection.address}`);
      }
      await this.#pause(100);
    }
  }

  /**
   * Builds one Produce request with `fill` (which adds records to the batch) and writes it.
   * Returns once it is written, with the number of records and the promise of the outcome.
   *
   * @param baseSequence Sequence number of the batch's first record (ignored when not
   * {@linkcode idempotent}): the one after the last record of the batch before it, and the same
   * as before when a batch is sent again.
   * @throws KafkaConnectionError when not connected or the write fails.
   */
  async produce(
    baseTimestamp: number,
    baseSequence: number,
    fill: (batch: RecordBatchBuilder) => void,
  ): Promise<{ count: number; result: Promise<ProduceResult> }> {
    const leader = this.#leader;
    if (!leader || leader.closed) throw new KafkaConnectionError("not connected to Kafka");
    const writer = this.#writer;
    writer.reset();
    const correlationId = leader.nextCorrelationId();
    const { topic } = this.#options;
    const at = beginProduceRequest(
      writer,
      { apiVersion: this.#produceVersion, correlationId, clientId: this.#options.clientId },
      { topic, partition: this.#partition, acks: -1, timeoutMs: this.#options.requestTimeoutMs },
    );
    const identity = this.#identity;
    const batch = new RecordBatchBuilder(
      writer,
      this.#options.key,
      baseTimestamp,
      identity ? { identity, baseSequence } : undefined,
    );
    fill(batch);
    batch.finish();
    endProduceRequest(writer, at);
    const what = `Produce to ${topic}-${this.#partition}`;
    const { response } = await leader.send(
      writer.view(),
      correlationId,
      this.#options.requestTimeoutMs + 5_000,
      what,
    );
    const version = this.#produceVersion;
    const result = response.then((body) => {
      const outcome = decodeProduce(body, version);
      if (outcome.errorCode !== 0) throw new KafkaProtocolError(outcome.errorCode, what);
      return outcome;
    });
    result.catch(() => {});
    return { count: batch.count, result };
  }

  /** Closes the leader connection (pending results fail). */
  async close(): Promise<void> {
    const leader = this.#leader;
    this.#leader = undefined;
    if (leader) await this.#closeConnection(leader);
  }
}

/** Splits `host:port` (IPv6 in brackets); Kafka's port 9092 when none is given. */
function parseAddress(address: string): { host: string; port: number } {
  const match = /^\[?([^\]]*?)\]?(?::(\d+))?$/.exec(address.trim());
  const host = match?.[1] ?? address;
  return { host, port: match?.[2] ? Number(match[2]) : 9092 };
}
