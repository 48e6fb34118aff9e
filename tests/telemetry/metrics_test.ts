import { equal } from "node:assert/strict";
import { exposition } from "../../src/telemetry/metrics.ts";

Deno.test("exposition() writes Prometheus text with HELP, TYPE and escaped labels", () => {
  const text = exposition({
    mateUp: true,
    mateStarts: 2,
    dependencies: { db: true, 'we"ird\\name': false },
    consulRequests: new Map([["heartbeat|ok", { call: "heartbeat", outcome: "ok", count: 7 }]]),
    kafka: { delivered: 10, dropped: 3, buffered: 1 },
  });
  equal(
    text,
    [
      "# HELP amp_pilot_mate_up 1 while the mate process runs",
      "# TYPE amp_pilot_mate_up gauge",
      "amp_pilot_mate_up 1",
      "# HELP amp_pilot_mate_starts_total Times the mate was started",
      "# TYPE amp_pilot_mate_starts_total counter",
      "amp_pilot_mate_starts_total 2",
      "# HELP amp_pilot_dependency_healthy 1 when the dependency has a passing instance in Consul",
      "# TYPE amp_pilot_dependency_healthy gauge",
      'amp_pilot_dependency_healthy{dependency="db"} 1',
      'amp_pilot_dependency_healthy{dependency="we\\"ird\\\\name"} 0',
      "# HELP amp_pilot_consul_requests_total Consul calls of the pilot by outcome (ok, error: " +
      "Consul refused, unreachable: no answer)",
      "# TYPE amp_pilot_consul_requests_total counter",
      'amp_pilot_consul_requests_total{call="heartbeat",outcome="ok"} 7',
      "# HELP amp_pilot_kafka_records_total Log records by outcome",
      "# TYPE amp_pilot_kafka_records_total counter",
      'amp_pilot_kafka_records_total{outcome="delivered"} 10',
      'amp_pilot_kafka_records_total{outcome="dropped"} 3',
      "# HELP amp_pilot_kafka_buffer_records Log records waiting for Kafka",
      "# TYPE amp_pilot_kafka_buffer_records gauge",
      "amp_pilot_kafka_buffer_records 1",
      "",
    ].join("\n"),
  );
});
