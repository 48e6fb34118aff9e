import { equal } from "node:assert/strict";
import { formatDuration } from "../../src/consul/duration_text.ts";

Deno.test("formatDuration() reads like a person writes it", () => {
  equal(formatDuration(300), "300 ms");
  equal(formatDuration(999.4), "999 ms");
  equal(formatDuration(1212.5), "1.2 s");
  equal(formatDuration(5000), "5 s");
  equal(formatDuration(42_400), "42 s");
  equal(formatDuration(300_000), "5 min");
  equal(formatDuration(323_750), "5 min 24 s");
});
