/**
 * The shape of every Kafka record (SPEC §5): one JSON object per mate line or pilot log record,
 * the same fields for all of them, keyed by the instance id.
 *
 * @module
 */

import type { BufferedRecord } from "./bounded_buffer.ts";

/**
 * Longest line part sent as one record. The broker's default limit is about 1 MiB per batch, and
 * JSON escaping can grow a line up to 6 times (binary bytes), so parts stay well below it.
 */
export const MAX_RECORD_BYTES = 128 * 1024;

/** Who produced the records: the same for every record of one pilot. */
export interface RecordMetadata {
  /** Consul service name. */
  readonly serviceName: string;
  /** Consul instance id (also the Kafka key). */
  readonly serviceId: string;
  /** Swarm node id, when known. */
  readonly nodeId: string;
  /** Full container id, when known. */
  readonly containerId: string;
  /** Short container id (the container's hostname by default). */
  readonly containerShortId: string;
  /** The registered IP. */
  readonly hostIp: string;
}

/** Keys the pilot sets, which a JSON line of the mate cannot override. */
const METADATA_KEYS = new Set([
  "timestamp",
  "time_id",
  "service_name",
  "service_id",
  "node_id",
  "container_id",
  "container_shortid",
  "host_ip",
  "stream",
  "is_error",
  "level",
  "message",
  "part",
  "last_part",
]);

const ERROR_LEVELS = new Set(["error", "fatal"]);
const decoder = new TextDecoder(); // replaces invalid UTF-8 with U+FFFD

/**
 * Builds the JSON value of a record.
 *
 * A mate line that is a JSON object keeps its top-level fields with their JSON types; the
 * metadata keys win over the line's own, and its `msg` fills `message` when it has none.
 */
export function recordValue(meta: RecordMetadata, record: BufferedRecord): Record<string, unknown> {
  const text = textOf(record);
  return valueOf(meta, record, text, jsonFieldsOf(record, text));
}

/**
 * The record serialised as JSON: the same text as `JSON.stringify(recordValue(meta, record))`,
 * built without an intermediate object for plain lines (the Kafka hot path).
 */
export function recordJson(meta: RecordMetadata, record: BufferedRecord): string {
  const text = textOf(record);
  const fields = jsonFieldsOf(record, text);
  if (fields) return JSON.stringify(valueOf(meta, record, text, fields));
  const part = record.part === undefined
    ? ""
    : `,"part":${record.part},"last_part":${!!record.lastPart}`;
  return `{"timestamp":"${isoTime(record.timeMs)}","time_id":"${timeId(record)}"` +
    `${recordMetadataJson(meta)},"stream":"${record.stream}","is_error":${isError(record)},` +
    `"level":${record.level === undefined ? "null" : JSON.stringify(record.level)},` +
    `"message":${JSON.stringify(text)}${part}}`;
}

function textOf(record: BufferedRecord): string {
  return typeof record.line === "string" ? record.line : decoder.decode(record.line);
}

function jsonFieldsOf(record: BufferedRecord, text: string): Record<string, unknown> | undefined {
  return record.stream !== "pilot" && record.part === undefined ? parseJsonObject(text) : undefined;
}

function valueOf(
  meta: RecordMetadata,
  record: BufferedRecord,
  text: string,
  fields: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (fields) {
    for (const [key, value] of Object.entries(fields)) {
      if (!METADATA_KEYS.has(key)) out[key] = value;
    }
  }
  out.timestamp = isoTime(record.timeMs);
  out.time_id = timeId(record);
  out.service_name = meta.serviceName;
  out.service_id = meta.serviceId;
  out.node_id = meta.nodeId;
  out.container_id = meta.containerId;
  out.container_shortid = meta.containerShortId;
  out.host_ip = meta.hostIp;
  out.stream = record.stream;
  out.is_error = isError(record);
  out.level = record.level ?? null;
  out.message = fields ? messageOf(fields, text) : text;
  if (record.part !== undefined) {
    out.part = record.part;
    out.last_part = !!record.lastPart;
  }
  return out;
}

function isError(record: BufferedRecord): boolean {
  return record.stream === "stderr" || ERROR_LEVELS.has(record.level ?? "");
}

const metadataFragments = new WeakMap<RecordMetadata, string>();
/** The metadata fields as a JSON fragment, `,"service_name":…,"host_ip":…` (built once). */
export function recordMetadataJson(meta: RecordMetadata): string {
  let fragment = metadataFragments.get(meta);
  if (fragment === undefined) {
    fragment = `,"service_name":${JSON.stringify(meta.serviceName)}` +
      `,"service_id":${JSON.stringify(meta.serviceId)}` +
      `,"node_id":${JSON.stringify(meta.nodeId)}` +
      `,"container_id":${JSON.stringify(meta.containerId)}` +
      `,"container_shortid":${JSON.stringify(meta.containerShortId)}` +
      `,"host_ip":${JSON.stringify(meta.hostIp)}`;
    metadataFragments.set(meta, fragment);
  }
  return fragment;
}

/** ISO-8601 of a time in ms; consecutive records mostly share their millisecond. */
let lastIsoMs = NaN;
let lastIso = "";
function isoTime(timeMs: number): string {
  const ms = Math.floor(timeMs);
  if (ms !== lastIsoMs) {
    lastIsoMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

function messageOf(fields: Record<string, unknown>, text: string): unknown {
  if ("message" in fields) return fields.message;
  if ("msg" in fields) return fields.msg;
  return text;
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  if (!/^\s*\{/.test(text)) return undefined;
  try {
    const value = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Unix time in ns as a string; the record's sequence number fills the last three digits. */
function timeId(record: BufferedRecord): string {
  const micros = Math.floor(record.timeMs * 1000); // < 2^53 until the year 2255
  return `${micros}${String(record.seq % 1000).padStart(3, "0")}`;
}
