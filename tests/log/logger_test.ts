import { equal, match, ok } from "node:assert/strict";
import { pilotLogger, setupLogging, teardownLogging } from "../../src/log/logger.ts";

Deno.test("setupLogging() writes text lines at or above the level", async () => {
  const lines: string[] = [];
  await setupLogging({ level: "info", format: "text", write: (l) => lines.push(l) });
  try {
    pilotLogger("consul").debug("hidden");
    pilotLogger("consul").info("dependency {name} is healthy", { name: "db" });
    pilotLogger().warn("plain warning");
  } finally {
    await teardownLogging();
  }
  equal(lines.length, 2);
  match(lines[0]!, /INF.*amp-pilot\.consul.*dependency db is healthy\n$/);
  match(lines[1]!, /WRN.*plain warning\n$/);
});

Deno.test("setupLogging() writes JSON lines with AMPPILOT_LOGFORMAT=json", async () => {
  const lines: string[] = [];
  await setupLogging({ level: "debug", format: "json", write: (l) => lines.push(l) });
  try {
    pilotLogger("mate").debug("spawned pid {pid}", { pid: 42 });
  } finally {
    await teardownLogging();
  }
  equal(lines.length, 1);
  ok(lines[0]!.endsWith("\n"));
  const record = JSON.parse(lines[0]!);
  equal(record.level, "debug");
  match(record.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  equal(record.message, "spawned pid 42");
  equal(record.logger, "amp-pilot.mate");
  equal(record.properties.pid, 42);
});
