/**
 * The shape of every Kafka record (SPEC §5): one JSON object per mate line or pilot log record,
 * the same fields for all of them, keyed by the instance id.
 *
 * @module
 */

import type { BufferedRecord } from "./bounded_buffer.ts";

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
  const part = record.part === undefined
    ? undefined
    : { part: record.part, last: !!record.lastPart };
  const text = typeof record.line === "string" ? record.line : decoder.decode(record.line);
  const fields = record.stream !== "pilot" && !part ? parseJsonObject(text) : undefined;
  const out: Record<string, unknown> = {};
  if (fields) {
    for (const [key, value] of Object.entries(fields)) {
      if (!METADATA_KEYS.has(key)) out[key] = value;
    }
  }
  out.timestamp = new Date(record.timeMs).toISOString();
  out.time_id = timeId(record);
  out.service_name = meta.serviceName;
  out.service_id = meta.serviceId;
  out.node_id = meta.nodeId;
  out.container_id = meta.containerId;
  out.container_shortid = meta.containerShortId;
  out.host_ip = meta.hostIp;
  out.stream = record.stream;
  out.is_error = record.stream === "stderr" || ERROR_LEVELS.has(record.level ?? "");
  out.level = record.level ?? null;
  out.message = fields ? messageOf(fields, text) : text;
  if (part) {
    out.part = part.part;
    out.last_part = part.last;
  }
  return out;
}

function messageOf(fields: Record<string, unknown>, text: string): unknown {
  if ("message" in fields) return fields.message;
  if ("msg" in fields) return fields.msg;
  return text;
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith("{")) return undefined;
  try {
    const value = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Unix time in ns as a string; the record's sequence number fills the last digits. */
function timeId(record: BufferedRecord): string {
  const micros = BigInt(Math.floor(record.timeMs * 1000));
  return (micros * 1000n + BigInt(record.seq % 1000)).toString();
}
