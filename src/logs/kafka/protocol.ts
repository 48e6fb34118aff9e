/**
 * The few Kafka requests the log shipper makes, encoded and decoded: ApiVersions v0 (which
 * versions a broker speaks), Metadata v4 (brokers, partition leaders, topic auto-creation),
 * InitProducerId v0 (an idempotent producer's id), SaslHandshake v1 and SaslAuthenticate v0
 * (logging in) and Produce v3–v7 (uncompressed record batches, `acks=all`). Every Kafka since
 * 0.11 speaks these, Kafka 4 included.
 *
 * @module
 */

import { ByteReader, ByteWriter, KafkaDecodeError } from "./wire.ts";

/** API keys used here. */
export const ApiKey = {
  Produce: 0,
  Metadata: 3,
  SaslHandshake: 17,
  ApiVersions: 18,
  InitProducerId: 22,
  SaslAuthenticate: 36,
} as const;

/** Versions this client can use: the broker must speak one in each range. */
export const SUPPORTED_VERSIONS: Readonly<Record<number, readonly [number, number]>> = {
  [ApiKey.Produce]: [3, 7],
  [ApiKey.Metadata]: [4, 4],
  [ApiKey.ApiVersions]: [0, 0],
  [ApiKey.InitProducerId]: [0, 0],
};

/** A request's header fields. */
export interface RequestHeader {
  /** The API key. */
  readonly apiKey: number;
  /** The API version. */
  readonly apiVersion: number;
  /** Matches the response to the request. */
  readonly correlationId: number;
  /** Shown in the broker's logs and quotas. */
  readonly clientId: string;
}

/**
 * Starts a request frame in `out`: the size (filled in by {@linkcode endRequest}) and header v1.
 *
 * @returns Where the frame starts.
 */
export function beginRequest(out: ByteWriter, header: RequestHeader): number {
  const start = out.length;
  out.int32(0).int16(header.apiKey).int16(header.apiVersion).int32(header.correlationId)
    .string(header.clientId);
  return start;
}

/** Fills in the size of the frame begun at `start`. */
export function endRequest(out: ByteWriter, start: number): void {
  out.int32At(start, out.length - start - 4);
}

/** Encodes a whole ApiVersions v0 request. */
export function apiVersionsRequest(
  out: ByteWriter,
  header: Omit<RequestHeader, "apiKey" | "apiVersion">,
): void {
  const start = beginRequest(out, { ...header, apiKey: ApiKey.ApiVersions, apiVersion: 0 });
  endRequest(out, start);
}

/** The API versions a broker speaks, by API key. */
export type ApiVersionRanges = Map<number, readonly [number, number]>;

/** Decodes an ApiVersions v0 response body. */
export function decodeApiVersions(
  reader: ByteReader,
): { errorCode: number; versions: ApiVersionRanges } {
  const errorCode = reader.int16("ApiVersions error code");
  const entries = reader.array(
    (r) => [r.int16("api key"), [r.int16("min version"), r.int16("max version")]] as const,
    "ApiVersions api_keys",
  );
  return { errorCode, versions: new Map(entries) };
}

/**
 * The version of `apiKey` to use with a broker: the highest both sides speak.
 *
 * @returns The version, or undefined when the ranges do not meet.
 */
export function chooseVersion(versions: ApiVersionRanges, apiKey: number): number | undefined {
  const ours = SUPPORTED_VERSIONS[apiKey];
  const theirs = versions.get(apiKey);
  if (!ours || !theirs) return undefined;
  const version = Math.min(ours[1], theirs[1]);
  return version >= Math.max(ours[0], theirs[0]) ? version : undefined;
}

/** Encodes a whole Metadata v4 request for `topics`. */
export function metadataRequest(
  out: ByteWriter,
  header: Omit<RequestHeader, "apiKey" | "apiVersion">,
  topics: readonly string[],
  allowAutoTopicCreation: boolean,
): void {
  const start = beginRequest(out, { ...header, apiKey: ApiKey.Metadata, apiVersion: 4 });
  out.int32(topics.length);
  for (const topic of topics) out.string(topic);
  out.int8(allowAutoTopicCreation ? 1 : 0);
  endRequest(out, start);
}

/** A broker of the cluster. */
export interface BrokerAddress {
  /** Its node id. */
  readonly nodeId: number;
  /** Host it advertises. */
  readonly host: string;
  /** Port it advertises. */
  readonly port: number;
}

/** One partition of a topic in a Metadata response. */
export interface PartitionMetadata {
  /** Error code (0: none). */
  readonly errorCode: number;
  /** Partition number. */
  readonly partition: number;
  /** Node id of its leader (-1: none). */
  readonly leader: number;
}

/** One topic in a Metadata response. */
export interface TopicMetadata {
  /** Error code (0: none). */
  readonly errorCode: number;
  /** Topic name. */
  readonly name: string;
  /** Its partitions. */
  readonly partitions: readonly PartitionMetadata[];
}

/** A Metadata response. */
export interface Metadata {
  /** The cluster's brokers. */
  readonly brokers: readonly BrokerAddress[];
  /** The topics asked for. */
  readonly topics: readonly TopicMetadata[];
}

/** Decodes a Metadata v4 response body. */
export function decodeMetadata(reader: ByteReader): Metadata {
  reader.int32("throttle time");
  const brokers = reader.array((r) => {
    const broker = {
      nodeId: r.int32("broker node id"),
      host: r.string("broker host") ?? "",
      port: r.int32("broker port"),
    };
    r.string("broker rack");
    return broker;
  }, "Metadata brokers");
  reader.string("cluster id");
  reader.int32("controller id");
  const topics = reader.array((r) => {
    const errorCode = r.int16("topic error code");
    const name = r.string("topic name") ?? "";
    r.int8("is internal");
    const partitions = r.array((p) => {
      const partition = {
        errorCode: p.int16("partition error code"),
        partition: p.int32("partition index"),
        leader: p.int32("partition leader"),
      };
      p.array((n) => n.int32(), "replica nodes");
      p.array((n) => n.int32(), "isr nodes");
      return partition;
    }, "topic partitions");
    return { errorCode, name, partitions };
  }, "Metadata topics");
  return { brokers, topics };
}

/** Encodes a whole InitProducerId v0 request for an idempotent, non-transactional producer. */
export function initProducerIdRequest(
  out: ByteWriter,
  header: Omit<RequestHeader, "apiKey" | "apiVersion">,
): void {
  const start = beginRequest(out, { ...header, apiKey: ApiKey.InitProducerId, apiVersion: 0 });
  out.string(null) // no transactional id
    .int32(60_000); // transaction timeout: unused without transactions
  endRequest(out, start);
}

/** An idempotent producer's identity: the broker drops a batch it has already written. */
export interface ProducerIdentity {
  /** The producer id the cluster gave. */
  readonly producerId: bigint;
  /** Its epoch. */
  readonly epoch: number;
}

/** Decodes an InitProducerId v0 response body. */
export function decodeInitProducerId(
  reader: ByteReader,
): { errorCode: number; identity: ProducerIdentity } {
  reader.int32("throttle time");
  const errorCode = reader.int16("InitProducerId error code");
  const producerId = reader.int64("producer id");
  const epoch = reader.int16("producer epoch");
  return { errorCode, identity: { producerId, epoch } };
}

/** Encodes a whole SaslHandshake v1 request: the mechanism the client wants. */
export function saslHandshakeRequest(
  out: ByteWriter,
  header: Omit<RequestHeader, "apiKey" | "apiVersion">,
  mechanism: string,
): void {
  const start = beginRequest(out, { ...header, apiKey: ApiKey.SaslHandshake, apiVersion: 1 });
  out.string(mechanism);
  endRequest(out, start);
}

/** Decodes a SaslHandshake v1 response body. */
export function decodeSaslHandshake(
  reader: ByteReader,
): { errorCode: number; mechanisms: string[] } {
  const errorCode = reader.int16("SaslHandshake error code");
  const mechanisms = reader.array((r) => r.string("mechanism") ?? "", "SaslHandshake mechanisms");
  return { errorCode, mechanisms };
}

/** Encodes a whole SaslAuthenticate v0 request carrying one SASL message. */
export function saslAuthenticateRequest(
  out: ByteWriter,
  header: Omit<RequestHeader, "apiKey" | "apiVersion">,
  message: Uint8Array,
): void {
  const start = beginRequest(out, { ...header, apiKey: ApiKey.SaslAuthenticate, apiVersion: 0 });
  out.int32(message.length).raw(message);
  endRequest(out, start);
}

/** Decodes a SaslAuthenticate v0 response body. */
export function decodeSaslAuthenticate(
  reader: ByteReader,
): { errorCode: number; errorMessage: string | null; message: Uint8Array } {
  const errorCode = reader.int16("SaslAuthenticate error code");
  const errorMessage = reader.string("SaslAuthenticate error message");
  return { errorCode, errorMessage, message: reader.bytes("SaslAuthenticate auth bytes") };
}

/** Where a Produce request's record set goes, and how it is acknowledged. */
export interface ProduceTarget {
  /** Topic. */
  readonly topic: string;
  /** Partition. */
  readonly partition: number;
  /** -1: all in-sync replicas. */
  readonly acks: number;
  /** How long the broker waits for the replicas (ms). */
  readonly timeoutMs: number;
}

/**
 * Starts a Produce request for one partition; the caller appends one record batch and then
 * calls {@linkcode endProduceRequest}.
 *
 * @returns Where the frame starts and where the record set's length goes.
 */
export function beginProduceRequest(
  out: ByteWriter,
  header: Omit<RequestHeader, "apiKey">,
  target: ProduceTarget,
): { start: number; recordsAt: number } {
  const start = beginRequest(out, { ...header, apiKey: ApiKey.Produce });
  out.string(null) // transactional id
    .int16(target.acks)
    .int32(target.timeoutMs)
    .int32(1).string(target.topic)
    .int32(1).int32(target.partition);
  const recordsAt = out.length;
  out.int32(0);
  return { start, recordsAt };
}

/** Fills in the lengths of a Produce request begun with {@linkcode beginProduceRequest}. */
export function endProduceRequest(out: ByteWriter, at: { start: number; recordsAt: number }): void {
  out.int32At(at.recordsAt, out.length - at.recordsAt - 4);
  endRequest(out, at.start);
}

/** The outcome of a Produce request for its one partition. */
export interface ProduceResult {
  /** Error code (0: none). */
  readonly errorCode: number;
  /** Offset of the batch's first record. */
  readonly baseOffset: bigint;
}

/** Decodes a Produce v3–v7 response body for a request with one topic and one partition. */
export function decodeProduce(reader: ByteReader, version: number): ProduceResult {
  const results = reader.array((r) => {
    r.string("topic name");
    return r.array((p) => {
      p.int32("partition index");
      const errorCode = p.int16("partition error code");
      const baseOffset = p.int64("base offset");
      p.int64("log append time");
      if (version >= 5) p.int64("log start offset");
      return { errorCode, baseOffset };
    }, "partition responses");
  }, "Produce responses").flat();
  const result = results[0];
  if (!result) throw new KafkaDecodeError("the Produce response names no partition");
  return result;
}

/** Kafka error codes the shipper tells apart, with their names. */
const ERRORS: Readonly<Record<number, { name: string; retriable: boolean }>> = {
  [-1]: { name: "UNKNOWN_SERVER_ERROR", retriable: false },
  2: { name: "CORRUPT_MESSAGE", retriable: true },
  3: { name: "UNKNOWN_TOPIC_OR_PARTITION", retriable: true },
  5: { name: "LEADER_NOT_AVAILABLE", retriable: true },
  6: { name: "NOT_LEADER_OR_FOLLOWER", retriable: true },
  7: { name: "REQUEST_TIMED_OUT", retriable: true },
  8: { name: "BROKER_NOT_AVAILABLE", retriable: true },
  10: { name: "MESSAGE_TOO_LARGE", retriable: false },
  13: { name: "NETWORK_EXCEPTION", retriable: true },
  14: { name: "COORDINATOR_LOAD_IN_PROGRESS", retriable: true },
  15: { name: "COORDINATOR_NOT_AVAILABLE", retriable: true },
  17: { name: "INVALID_TOPIC_EXCEPTION", retriable: false },
  18: { name: "RECORD_LIST_TOO_LARGE", retriable: false },
  19: { name: "NOT_ENOUGH_REPLICAS", retriable: true },
  20: { name: "NOT_ENOUGH_REPLICAS_AFTER_APPEND", retriable: true },
  29: { name: "TOPIC_AUTHORIZATION_FAILED", retriable: false },
  31: { name: "CLUSTER_AUTHORIZATION_FAILED", retriable: false },
  33: { name: "UNSUPPORTED_SASL_MECHANISM", retriable: false },
  34: { name: "ILLEGAL_SASL_STATE", retriable: false },
  35: { name: "UNSUPPORTED_VERSION", retriable: false },
  45: { name: "OUT_OF_ORDER_SEQUENCE_NUMBER", retriable: true },
  46: { name: "DUPLICATE_SEQUENCE_NUMBER", retriable: false },
  47: { name: "INVALID_PRODUCER_EPOCH", retriable: true },
  56: { name: "KAFKA_STORAGE_ERROR", retriable: true },
  58: { name: "SASL_AUTHENTICATION_FAILED", retriable: false },
  59: { name: "UNKNOWN_PRODUCER_ID", retriable: true },
  74: { name: "FENCED_LEADER_EPOCH", retriable: true },
  75: { name: "UNKNOWN_LEADER_EPOCH", retriable: true },
  87: { name: "INVALID_RECORD", retriable: false },
};

/** A Kafka error code the broker answered with. */
export class KafkaProtocolError extends Error {
  override name = "KafkaProtocolError";
  /** The error code. */
  readonly code: number;
  /** Whether sending again may succeed. */
  readonly retriable: boolean;

  /**
   * @param code The broker's error code.
   * @param context What was asked (e.g. "Produce to logs-0").
   */
  constructor(code: number, context: string) {
    const known = ERRORS[code];
    super(`${context} failed: ${known?.name ?? "Kafka error"} (code ${code})`);
    this.code = code;
    this.retriable = known?.retriable ?? false;
  }
}

/** Error code of a record or batch too large for the broker. */
export function isTooLargeCode(code: number): boolean {
  return code === 10 || code === 18;
}

/** Error code of an answer that already holds the batch (an idempotent producer sent it twice). */
export function isDuplicateCode(code: number): boolean {
  return code === 46;
}

/**
 * Error code saying the broker no longer knows the producer's identity or sequence (its state
 * expired, or a batch before this one was lost): a new identity is needed.
 */
export function isIdentityLostCode(code: number): boolean {
  return code === 45 || code === 47 || code === 59;
}
