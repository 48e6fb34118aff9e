import { deepEqual, equal, ok } from "node:assert/strict";
import { consumeAll, ledTopic, startKafka } from "../support/kafka.ts";
import { Kafka, logLevel } from "../support/kafkajs.ts";
import { freePorts } from "../support/ports.ts";
import { startPilot, tempDir } from "../support/pilot.ts";
import { eventually } from "../support/eventually.ts";
import { PILOT_ENTRY } from "../support/entry.ts";

type Rec = { key: string; value: Record<string, unknown> };

const FIELDS = [
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
];

function mateLines(records: Rec[], stream = "stdout"): string[] {
  return records.filter((r) => r.value.stream === stream).map((r) => String(r.value.message));
}

function topic(): string {
  return `t-${crypto.randomUUID().slice(0, 8)}`;
}

Deno.test("log shipping against a real Kafka broker", async (t) => {
  await using kafka = await startKafka();
  const base = {
    KAFKA: kafka.bootstrap,
    AMPPILOT_SERVICEID: "svc-1",
    SERVICE_NAME: "svc",
    HOSTNAME: "c0ffee",
    AMPPILOT_REGISTEREDIP: "10.1.2.3",
    AMPPILOT_LOGLEVEL: "info",
  };

  await t.step(
    "records carry every field with the right types, for plain, JSON and pilot lines",
    async () => {
      const name = topic();
      await ledTopic(kafka.bootstrap, name); // not a topic its broker is still taking over
      const script = `echo plain line; echo '{"msg":"from json","level":"x","n":42,"ok":true}'; ` +
        `echo oops >&2; printf 'last without newline'`;
      await using pilot = startPilot({ ...base, KAFKA_TOPIC: name }, ["sh", "-c", script]);
      equal((await pilot.status).code, 0);
      equal(
        pilot.stdout(),
        `plain line\n{"msg":"from json","level":"x","n":42,"ok":true}\nlast without newline`,
      );
      const records = await consumeAll(kafka.bootstrap, name, (r) => mateLines(r).length >= 3);
      for (const r of records) {
        equal(r.key, "svc-1");
        for (const field of FIELDS) {
          ok(
            field in r.value,
            `${field} missing in ${JSON.stringify(r.value)}`,
          );
        }
        equal(typeof r.value.time_id, "string");
        ok(/^\d{19}$/.test(String(r.value.time_id)));
        ok(!Number.isNaN(Date.parse(String(r.value.timestamp))));
        equal(r.value.service_name, "svc");
        equal(r.value.service_id, "svc-1");
        equal(r.value.container_shortid, "c0ffee");
        equal(r.value.host_ip, "10.1.2.3");
        equal(typeof r.value.is_error, "boolean");
      }
      deepEqual(mateLines(records), ["plain line", "from json", "last without newline"]);
      const json = records.find((r) => r.value.message === "from json")!.value;
      equal(json.n, 42);
      equal(json.ok, true);
      equal(json.level, null, "metadata keys win over the line's own");
      const err = records.find((r) => r.value.stream === "stderr")!.value;
      equal(err.message, "oops");
      equal(err.is_error, true);
      const pilotRecords = records.filter((r) => r.value.stream === "pilot");
      ok(pilotRecords.some((r) => /starting the mate/.test(String(r.value.message))));
      ok(pilotRecords.every((r) => typeof r.value.level === "string"));
    },
  );

  await t.step(
    "Kafka stopped for seconds, then back: every line arrives once, in order",
    async () => {
      const name = topic();
      await kafka.stop();
      const script =
        `i=0; while [ $i -lt 60 ]; do i=$((i+1)); echo "line $i"; sleep 0.1; done; sleep 600`;
      await using pilot = startPilot({ ...base, KAFKA_TOPIC: name }, ["sh", "-c", script]);
      await new Promise((r) => setTimeout(r, 3000));
      await kafka.restart();
      const records = await consumeAll(
        kafka.bootstrap,
        name,
        (r) => mateLines(r).includes("line 60"),
        30_000,
      );
      deepEqual(mateLines(records), Array.from({ length: 60 }, (_, i) => `line ${i + 1}`));
      ok(records.some((r) => /Kafka is unreachable/.test(String(r.value.message))));
      pilot.signal("SIGTERM");
      await pilot.status;
    },
  );

  await t.step("a full buffer drops exactly the oldest and a record says how many", async () => {
    const name = topic();
    await kafka.stop();
    await using pilot = startPilot(
      { ...base, KAFKA_TOPIC: name, AMPPILOT_KAFKABUFFER: "50", AMPPILOT_LOGLEVEL: "error" },
      ["sh", "-c", `i=0; while [ $i -lt 200 ]; do i=$((i+1)); echo "line $i"; done; sleep 600`],
    );
    await eventually(() => ok(pilot.stdout().includes("line 200\n")));
    await kafka.restart();
    const records = await consumeAll(
      kafka.bootstrap,
      name,
      (r) => mateLines(r).includes("line 200"),
      30_000,
    );
    deepEqual(mateLines(records), Array.from({ length: 50 }, (_, i) => `line ${i + 151}`));
    const dropped = records.find((r) => r.value.dropped !== undefined)!.value;
    equal(dropped.dropped, 150);
    equal(dropped.stream, "pilot");
    equal(dropped.level, "warning");
    pilot.signal("SIGTERM");
    await pilot.status;
  });

  await t.step(
    "a topic with a small message limit gets smaller batches; a record over it is logged",
    async () => {
      const name = topic();
      const admin = new Kafka({ brokers: [kafka.bootstrap], logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      await admin.createTopics({
        topics: [{ topic: name, configEntries: [{ name: "max.message.bytes", value: "20000" }] }],
        waitForLeaders: true,
      });
      await admin.disconnect();
      const long = "y".repeat(30_000);
      const script =
        `i=0; while [ $i -lt 400 ]; do i=$((i+1)); echo "line $i ${"x".repeat(200)}"; ` +
        `done; echo ${long}; echo after; sleep 600`;
      await using pilot = startPilot({ ...base, KAFKA_TOPIC: name }, ["sh", "-c", script]);
      const records = await consumeAll(
        kafka.bootstrap,
        name,
        (r) => mateLines(r).includes("after"),
        30_000,
      );
      deepEqual(
        mateLines(records),
        [...Array.from({ length: 400 }, (_, i) => `line ${i + 1} ${"x".repeat(200)}`), "after"],
      );
      await pilot.waitForLog(
        /could not be sent to Kafka and was given up \(.*(MESSAGE|RECORD_LIST)_TOO_LARGE/,
      );
      pilot.signal("SIGTERM");
      await pilot.status;
    },
  );

  await t.step("SIGTERM flushes what is buffered", async () => {
    const name = topic();
    await ledTopic(kafka.bootstrap, name); // not a topic its broker is still taking over
    const script = `i=0; while [ $i -lt 2000 ]; do i=$((i+1)); echo "line $i"; done; ` +
      `trap 'exit 0' TERM; while :; do sleep 0.05 & wait $!; done`;
    await using pilot = startPilot({ ...base, KAFKA_TOPIC: name }, ["sh", "-c", script]);
    await eventually(() => ok(pilot.stdout().includes("line 2000\n")));
    pilot.signal("SIGTERM");
    equal((await pilot.status).code, 0);
    const records = await consumeAll(
      kafka.bootstrap,
      name,
      (r) => mateLines(r).includes("line 2000"),
    );
    equal(mateLines(records).length, 2000);
  });

  await t.step("a line longer than 128 KiB arrives as numbered parts, not dropped", async () => {
    const name = topic();
    await ledTopic(kafka.bootstrap, name); // not a topic its broker is still taking over
    const script = `head -c 300000 /dev/zero | tr '\\0' a; echo; echo after`;
    await using pilot = startPilot({ ...base, KAFKA_TOPIC: name }, ["sh", "-c", script]);
    equal((await pilot.status).code, 0);
    const records = await consumeAll(kafka.bootstrap, name, (r) => mateLines(r).includes("after"));
    const parts = records.filter((r) => r.value.part !== undefined).map((r) => r.value);
    deepEqual(parts.map((p) => [p.part, p.last_part]), [[1, false], [2, false], [3, true]]);
    equal(parts.map((p) => String(p.message)).join(""), "a".repeat(300000));
    equal(mateLines(records).at(-1), "after");
  });

  await t.step("KAFKA=none ships nothing and the pilot stays transparent", async () => {
    await using pilot = startPilot({ ...base, KAFKA: "none", AMPPILOT_LOGLEVEL: "debug" }, [
      "sh",
      "-c",
      "echo hi",
    ]);
    equal((await pilot.status).code, 0);
    equal(pilot.stdout(), "hi\n");
    ok(!/kafka/i.test(pilot.stderr()), pilot.stderr());
  });
});

Deno.test("passthrough is byte-exact: long lines, invalid UTF-8, no final newline", async () => {
  await using dir = await tempDir();
  const file = `${dir.path}/payload`;
  const chunks: Uint8Array[] = [];
  const enc = new TextEncoder();
  chunks.push(enc.encode("short line\n"));
  chunks.push(new Uint8Array(3 * 1024 * 1024 + 17).fill(0x61)); // a 3 MiB line
  chunks.push(enc.encode("\n"));
  chunks.push(new Uint8Array([0xff, 0xfe, 0xc3, 0x28, 0x0a, 0x00, 0x01, 0x0a])); // invalid UTF-8, NUL
  chunks.push(enc.encode("é ✓ final line without newline"));
  const payload = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const c of chunks) {
    payload.set(c, offset);
    offset += c.length;
  }
  await Deno.writeFile(file, payload);
  const [deadPort] = await freePorts(1);
  // Kafka configured but unreachable: the output goes through the pilot's pipes.
  for (const env of [{}, { KAFKA: `127.0.0.1:${deadPort}` }] as Record<string, string>[]) {
    const out = `${dir.path}/out`;
    const child = new Deno.Command("sh", {
      args: [
        "-c",
        `"$0" run -A --frozen "$1" -- cat "$2" > "$3"`,
        Deno.execPath(),
        main(),
        file,
        out,
      ],
      env,
      stderr: "null",
    }).spawn();
    equal((await child.status).code, 0);
    const got = await Deno.readFile(out);
    equal(got.length, payload.length, JSON.stringify(env));
    ok(got.every((b, i) => b === payload[i]), `bytes differ with ${JSON.stringify(env)}`);
  }
});

function main(): string {
  return PILOT_ENTRY;
}
