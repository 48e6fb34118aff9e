import { deepEqual, equal } from "node:assert/strict";
import { pilotLogger, setupLogging, teardownLogging } from "../../src/log/logger.ts";
import type { LogRecord } from "../../src/log/record.ts";
import { renderMessage } from "../../src/log/json_line.ts";
import { recordValue } from "../../src/logs/record.ts";

const META = {
  serviceName: "api",
  serviceId: "api-1",
  nodeId: "",
  containerId: "",
  containerShortId: "",
  hostIp: "127.0.0.1",
};

Deno.test("a pilot JSON log line and its Kafka record share field names, level words, text", async () => {
  const lines: string[] = [];
  const records: LogRecord[] = [];
  await setupLogging({
    level: "info",
    format: "json",
    write: (l) => lines.push(l),
    extraSinks: { kafka: (r) => records.push(r) },
  });
  try {
    pilotLogger("consul").warn("watch db: {message}", {
      message: 'GET /v1/health/service/db: unreachable ("connection refused")',
    });
    pilotLogger("kafka").error("Kafka is unreachable ({reason})", { reason: new Error("boom") });
  } finally {
    await teardownLogging();
  }
  const logged = lines.map((l) => JSON.parse(l));
  deepEqual(logged.map((r) => [r.level, r.message]), [
    ["warning", 'watch db: GET /v1/health/service/db: unreachable ("connection refused")'],
    ["error", "Kafka is unreachable (boom)"],
  ]);
  equal(logged[1]!.properties.reason, "boom", "an error is its message, never its stack");
  // The Kafka record of the same pilot record (as KafkaShipper.pushLogRecord builds it).
  records.forEach((record, i) => {
    const value = recordValue(META, {
      seq: i,
      stream: "pilot",
      timeMs: record.timestamp,
      line: renderMessage(record.message),
      level: record.level,
    });
    equal(value.timestamp, logged[i]!.timestamp);
    equal(value.level, logged[i]!.level);
    equal(value.message, logged[i]!.message);
  });
});
