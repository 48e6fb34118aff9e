import { deepEqual, equal } from "node:assert/strict";
import { judgeStatus, parseStatus, type PilotStatus } from "../../src/runtime/status_file.ts";

const STATUS: PilotStatus = {
  phase: "ready",
  ready: true,
  reason: "registered in Consul and passing",
  pid: 1,
  updatedAt: 1_000_000,
  staleAfterMs: 31_000,
};

Deno.test("judgeStatus() is healthy only for a fresh, ready status", () => {
  const text = JSON.stringify(STATUS);
  deepEqual(judgeStatus(text, "/s", 1_010_000), {
    healthy: true,
    line: "ready (ready): registered in Consul and passing",
  });
  deepEqual(judgeStatus(text, "/s", 1_040_000), {
    healthy: false,
    line: "stale: the pilot last updated /s 40 s ago",
  });
  const waiting = JSON.stringify({
    ...STATUS,
    phase: "waiting",
    ready: false,
    reason: "waiting for db (unhealthy)",
  });
  deepEqual(judgeStatus(waiting, "/s", 1_000_500), {
    healthy: false,
    line: "not ready (waiting): waiting for db (unhealthy)",
  });
});

Deno.test("judgeStatus() says why a ready mate is not ready in Consul", () => {
  const refused = JSON.stringify({
    ...STATUS,
    ready: false,
    reason: "Consul refused the registration (403 Permission denied)",
  });
  deepEqual(judgeStatus(refused, "/s", 1_000_500), {
    healthy: false,
    line: "not ready: Consul refused the registration (403 Permission denied)",
  });
});

Deno.test("judgeStatus() explains a missing or broken file", () => {
  deepEqual(judgeStatus(undefined, "/s", 0), {
    healthy: false,
    line: "no status file at /s (is amp-pilot running here?)",
  });
  deepEqual(judgeStatus("{", "/s", 0), {
    healthy: false,
    line: "the status file /s is not valid JSON",
  });
  const { staleAfterMs: _, ...noStaleAfter } = STATUS;
  for (const text of ["{}", "null", "[]", "7", '"ready"', JSON.stringify(noStaleAfter)]) {
    deepEqual(judgeStatus(text, "/s", 0), {
      healthy: false,
      line: 'the status file /s has no "ready", "updatedAt" and "staleAfterMs"',
    }, text);
  }
});

Deno.test("judgeStatus() names the first field of the wrong type, and why a file cannot be read", () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ reason: 7 }, "reason is a number, expected a string"],
    [{ startedAt: "now" }, "startedAt is a string, expected a number"],
    [{ mate: [] }, "mate is an array, expected an object"],
    [
      { mate: { pid: null, starts: 1, lastExit: { code: 0, signal: 9, at: 1 } } },
      "mate.lastExit.signal is a number, expected a string or null",
    ],
    [
      { dependencies: { db: { health: "healthy", since: 1 } } },
      "dependencies.db.reason is missing, expected a string",
    ],
    [{ lastConsulError: { message: "x" } }, "lastConsulError.at is missing, expected a number"],
  ];
  for (const [odd, problem] of cases) {
    deepEqual(judgeStatus(JSON.stringify({ ...STATUS, ...odd }), "/s", 1_000_000), {
      healthy: false,
      line: `the status file /s is not a pilot's status: ${problem}`,
    });
  }
  deepEqual(judgeStatus({ unreadable: "it is a FIFO, not a file" }, "/s", 0), {
    healthy: false,
    line: "cannot read the status file /s: it is a FIFO, not a file",
  });
});

Deno.test("parseStatus() takes every field a pilot writes, and an older pilot's file without them", () => {
  const full: PilotStatus = {
    ...STATUS,
    startedAt: 999_000,
    mate: { pid: 42, starts: 2, lastExit: { code: 143, signal: "SIGTERM", at: 999_500 } },
    dependencies: { db: { health: "healthy", since: 999_100, reason: "passing" } },
    registration: {
      state: "accepted",
      consul: "http://consul:8500",
      serviceId: "api-1",
      serviceName: "api",
      address: "10.0.0.5:8080",
    },
    lastConsulError: { message: "Consul did not answer", at: 999_900 },
  };
  deepEqual(parseStatus(JSON.stringify(full)), full);
  deepEqual(parseStatus(JSON.stringify(STATUS)), STATUS);
  deepEqual(parseStatus(JSON.stringify({ ...STATUS, lastConsulError: null })), {
    ...STATUS,
    lastConsulError: null,
  });
  equal(parseStatus(JSON.stringify({ ...STATUS, registration: {} })), undefined);
  equal(parseStatus("{"), undefined);
});
