import { deepEqual } from "node:assert/strict";
import { pickRegisteredIp } from "../../src/net/registered_ip.ts";

const IFACES = [
  { name: "lo", family: "IPv4" as const, address: "127.0.0.1" },
  { name: "eth0", family: "IPv6" as const, address: "fe80::1" },
  { name: "eth0", family: "IPv6" as const, address: "fd00::2" },
  { name: "eth0", family: "IPv4" as const, address: "10.0.0.2" },
  { name: "eth1", family: "IPv6" as const, address: "fd00::9" },
];

Deno.test("pickRegisteredIp() prefers the configured IP, then the interface's IPv4", () => {
  deepEqual(pickRegisteredIp("192.0.2.7", "eth0", IFACES), { ip: "192.0.2.7" });
  deepEqual(pickRegisteredIp(undefined, "eth0", IFACES), { ip: "10.0.0.2" });
  deepEqual(pickRegisteredIp(undefined, "eth1", IFACES), { ip: "fd00::9" });
});

Deno.test("pickRegisteredIp() explains why there is no address", () => {
  deepEqual(pickRegisteredIp(undefined, "wlan0", IFACES), {
    ip: undefined,
    reason: "no interface wlan0 (interfaces: lo, eth0, eth1)",
  });
  deepEqual(
    pickRegisteredIp(undefined, "eth0", [{ name: "eth0", family: "IPv6", address: "fe80::1" }]),
    { ip: undefined, reason: "eth0 has no address" },
  );
});
