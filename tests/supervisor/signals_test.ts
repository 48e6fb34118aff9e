import { equal } from "node:assert/strict";
import { exitCodeOfSignal } from "../../src/supervisor/signals.ts";

Deno.test("exitCodeOfSignal() is 128 + the Linux signal number", () => {
  equal(exitCodeOfSignal("SIGTERM", 0), 143);
  equal(exitCodeOfSignal("SIGKILL", 0), 137);
  equal(exitCodeOfSignal("SIGINT", 0), 130);
  equal(exitCodeOfSignal("SIGHUP", 0), 129);
  equal(exitCodeOfSignal("SIGNOPE", 77), 77);
});
