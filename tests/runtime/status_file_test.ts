import { deepEqual } from "node:assert/strict";
import { judgeStatus, type PilotStatus } from "../../src/runtime/status_file.ts";

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
