import { equal, match } from "node:assert/strict";
import { startKafka } from "../support/kafka.ts";
import { eventually } from "../support/eventually.ts";
import { startPilot } from "../support/pilot.ts";
import { freePorts } from "../support/ports.ts";

async function metrics(port: number): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  equal(response.status, 200);
  return await response.text();
}

Deno.test("/metrics counts the records a real Kafka broker took", async () => {
  await using kafka = await startKafka();
  const [port] = await freePorts(1);
  await using pilot = startPilot({
    KAFKA: kafka.bootstrap,
    KAFKA_TOPIC: `tm-${crypto.randomUUID().slice(0, 8)}`,
    AMPPILOT_SERVICEID: "tm-1",
    AMPPILOT_REGISTEREDIP: "127.0.0.1",
    AMPPILOT_TELEMETRY: `127.0.0.1:${port}`,
  }, ["sh", "-c", "for i in 1 2 3 4 5; do echo line $i; done; sleep 60"]);
  await eventually(async () => {
    const text = await metrics(port!);
    // five mate lines, and the pilot's own records (Kafka reachable, telemetry at …)
    const delivered = Number(
      /^amp_pilot_kafka_records_total\{outcome="delivered"\} (\d+)$/m
        .exec(text)?.[1],
    );
    equal(delivered >= 5, true, text);
    match(text, /^amp_pilot_kafka_records_total\{outcome="dropped"\} 0$/m);
    match(text, /^amp_pilot_kafka_buffer_records 0$/m);
    match(text, /^amp_pilot_mate_up 1$/m);
  }, 60_000);
  pilot.signal("SIGTERM");
  equal((await pilot.status).code, 143);
});

Deno.test("/metrics counts the records dropped from a full buffer while Kafka is away", async () => {
  const [port, closed] = await freePorts(2);
  await using pilot = startPilot({
    KAFKA: `127.0.0.1:${closed}`,
    AMPPILOT_KAFKABUFFER: "5",
    AMPPILOT_SERVICEID: "tm-2",
    AMPPILOT_REGISTEREDIP: "127.0.0.1",
    AMPPILOT_TELEMETRY: `127.0.0.1:${port}`,
  }, ["sh", "-c", "for i in $(seq 1 30); do echo line $i; done; sleep 60"]);
  await eventually(async () => {
    const text = await metrics(port!);
    const dropped = Number(
      /^amp_pilot_kafka_records_total\{outcome="dropped"\} (\d+)$/m
        .exec(text)?.[1],
    );
    // 30 mate lines (and the pilot's own warnings) into a buffer of 5
    equal(dropped >= 25, true, text);
    match(text, /^amp_pilot_kafka_buffer_records 5$/m);
    match(text, /^amp_pilot_kafka_records_total\{outcome="delivered"\} 0$/m);
  }, 30_000);
  pilot.signal("SIGTERM");
  equal((await pilot.status).code, 143);
});
