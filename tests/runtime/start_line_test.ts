import { equal } from "node:assert/strict";
import { registeredAddress } from "../../src/runtime/start_line.ts";

Deno.test("registeredAddress() writes the address:port sent to Consul, IPv6 in brackets", () => {
  equal(registeredAddress({ registeredPort: 8080 }, "10.0.0.5"), "10.0.0.5:8080");
  equal(registeredAddress({ registeredPort: 8080 }, "fd00::5"), "[fd00::5]:8080");
  equal(registeredAddress({ registeredPort: 80 }, undefined), "the agent's address:80");
});
