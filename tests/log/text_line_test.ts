import { deepEqual, equal } from "node:assert/strict";
import { pilotLogger, setupLogging, teardownLogging } from "../../src/log/logger.ts";
import type { LogRecord } from "../../src/log/record.ts";
import { jsonLine } from "../../src/log/json_line.ts";
import { textLine } from "../../src/log/text_line.ts";
import { FIXED_TIMESTAMP, FORMAT_CASES } from "./format_cases.ts";

/** Lines LogTape 2.4.2 wrote for FORMAT_CASES (recorded before the pilot's own logger). */
const FIXTURE: Record<string, { text: string; json: string; message: string }> = JSON.parse(
  await Deno.readTextFile(new URL("../fixtures/log/lines.json", import.meta.url)),
);

async function logged(level: "trace" | "info" = "trace"): Promise<{
  records: LogRecord[];
  lines: string[];
}> {
  const records: LogRecord[] = [];
  const lines: string[] = [];
  await setupLogging({
    level,
    format: "text",
    write: (l) => lines.push(l),
    extraSinks: { capture: (r) => records.push(r) },
  });
  try {
    for (const c of FORMAT_CASES) pilotLogger(c.part)[c.level](c.message, c.properties?.());
  } finally {
    await teardownLogging();
  }
  return { records, lines };
}

function atFixedTime(record: LogRecord): LogRecord {
  return { ...record, timestamp: FIXED_TIMESTAMP };
}

function jsonOrThrow(record: LogRecord): string {
  try {
    return jsonLine(record);
  } catch (e) {
    return `throws ${(e as Error).name}`;
  }
}

Deno.test("text lines are byte for byte what LogTape wrote (templates, values, escapes)", async () => {
  const { records } = await logged();
  equal(records.length, FORMAT_CASES.length);
  deepEqual(Object.keys(FIXTURE), FORMAT_CASES.map((c) => c.name));
  FORMAT_CASES.forEach((c, i) => {
    equal(textLine(atFixedTime(records[i]!)), FIXTURE[c.name]!.text, c.name);
  });
});

Deno.test("records carry LogTape's message parts, so JSON lines and Kafka records are unchanged", async () => {
  const { records } = await logged();
  FORMAT_CASES.forEach((c, i) => {
    const record = records[i]!;
    const parts = Deno.inspect(record.message, {
      strAbbreviateSize: Infinity,
      iterableLimit: Infinity,
    });
    equal(parts, FIXTURE[c.name]!.message, c.name);
    equal(jsonOrThrow(atFixedTime(record)), FIXTURE[c.name]!.json, c.name);
    equal(record.rawMessage, c.message);
  });
});

Deno.test("the line written is the record's text line, with the time it was logged", async () => {
  const before = Date.now();
  const { records, lines } = await logged("info");
  const after = Date.now();
  equal(lines.length, records.length);
  records.forEach((record, i) => {
    equal(lines[i], textLine(record));
    equal(record.timestamp >= before && record.timestamp <= after, true);
  });
  equal(records.some((r) => r.level === "trace" || r.level === "debug"), false);
});

Deno.test("a sink that throws does not keep the record from the others", async () => {
  const lines: string[] = [];
  await setupLogging({
    level: "info",
    format: "json",
    write: (l) => lines.push(l),
    extraSinks: {
      failing: () => {
        throw new Error("sink down");
      },
    },
  });
  try {
    pilotLogger().info("first");
    pilotLogger().info("second");
  } finally {
    await teardownLogging();
  }
  deepEqual(lines.map((l) => JSON.parse(l).message), ["first", "second"]);
});
