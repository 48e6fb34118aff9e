/**
 * The Prometheus text exposition (format 0.0.4) of the pilot's metrics, written by hand: a few
 * gauges and counters need no library, and nothing is loaded unless telemetry is on.
 *
 * @module
 */

/** What the metrics are made of. */
export interface MetricsInput {
  /** A mate process runs. */
  readonly mateUp: boolean;
  /** How many times the mate was started. */
  readonly mateStarts: number;
  /** Each dependency: healthy or not. */
  readonly dependencies: Readonly<Record<string, boolean>>;
  /** Consul calls by call and outcome. */
  readonly consulRequests: ReadonlyMap<string, { call: string; outcome: string; count: number }>;
  /** Kafka shipping, when on. */
  readonly kafka?: {
    readonly delivered: number;
    readonly dropped: number;
    readonly buffered: number;
  };
}

/** The content type of the exposition. */
export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** The exposition text. */
export function exposition(m: MetricsInput): string {
  const out: string[] = [];
  metric(out, "amp_pilot_mate_up", "gauge", "1 while the mate process runs", [[
    "",
    m.mateUp ? 1 : 0,
  ]]);
  metric(out, "amp_pilot_mate_starts_total", "counter", "Times the mate was started", [[
    "",
    m.mateStarts,
  ]]);
  metric(
    out,
    "amp_pilot_dependency_healthy",
    "gauge",
    "1 when the dependency has a passing instance in Consul",
    Object.entries(m.dependencies).map(([name, up]) => [labels({ dependency: name }), up ? 1 : 0]),
  );
  metric(
    out,
    "amp_pilot_consul_requests_total",
    "counter",
    "Consul calls of the pilot by outcome (ok, error: Consul refused, unreachable: no answer)",
    [...m.consulRequests.values()].map((
      r,
    ) => [labels({ call: r.call, outcome: r.outcome }), r.count]),
  );
  if (m.kafka) {
    metric(out, "amp_pilot_kafka_records_total", "counter", "Log records by outcome", [
      [labels({ outcome: "delivered" }), m.kafka.delivered],
      [labels({ outcome: "dropped" }), m.kafka.dropped],
    ]);
    metric(out, "amp_pilot_kafka_buffer_records", "gauge", "Log records waiting for Kafka", [[
      "",
      m.kafka.buffered,
    ]]);
  }
  return out.join("");
}

function metric(
  out: string[],
  name: string,
  type: "gauge" | "counter",
  help: string,
  samples: readonly (readonly [string, number])[],
): void {
  out.push(`# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`);
  for (const [labelText, value] of samples) out.push(`${name}${labelText} ${value}\n`);
}

/** `{a="x",b="y"}` with the values escaped as the format requires. */
function labels(values: Record<string, string>): string {
  const pairs = Object.entries(values).map(([k, v]) =>
    `${k}="${v.replaceAll("\\", "\\\\").replaceAll("\n", "\\n").replaceAll('"', '\\"')}"`
  );
  return `{${pairs.join(",")}}`;
}
