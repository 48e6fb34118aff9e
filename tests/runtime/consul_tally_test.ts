import { deepEqual } from "node:assert/strict";
import { ConsulError } from "../../src/consul/errors.ts";
import { ConsulTally } from "../../src/runtime/consul_tally.ts";

Deno.test("ConsulTally counts calls by outcome and keeps the last error", () => {
  const tally = new ConsulTally();
  tally.outcome("heartbeat", { result: "ok" });
  tally.outcome("heartbeat", { result: "ok" });
  tally.outcome("register", { result: "failed", status: 403, reason: "Permission denied" });
  tally.outcome("heartbeat", { result: "failed", status: undefined, reason: "timeout (1s)" });
  tally.count("watch", "unreachable");
  tally.error("first", 1);
  tally.error("second", 2);
  deepEqual([...tally.counts.values()], [
    { call: "heartbeat", outcome: "ok", count: 2 },
    { call: "register", outcome: "error", count: 1 },
    { call: "heartbeat", outcome: "unreachable", count: 1 },
    { call: "watch", outcome: "unreachable", count: 1 },
  ]);
  deepEqual(tally.lastError, { message: "second", at: 2 });
});

Deno.test("ConsulTally counts a watch problem as unreachable only when Consul gave no answer", () => {
  const tally = new ConsulTally();
  const call = "GET /v1/health/service/db";
  tally.watchProblem(new ConsulError(call, "unreachable", "connection refused"));
  tally.watchProblem(new ConsulError(call, "late-answer", "Consul did not answer the watch"));
  tally.watchProblem(new ConsulError(call, "acl-filtered", "cannot see dependency db"));
  tally.watchProblem(new ConsulError(call, "bad-response", "invalid JSON"));
  tally.watchProblem(new ConsulError(call, "http", "Permission denied", 403));
  deepEqual([...tally.counts.values()], [
    { call: "watch", outcome: "unreachable", count: 2 },
    { call: "watch", outcome: "error", count: 3 },
  ]);
});
