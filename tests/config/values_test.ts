import { deepEqual, equal, match, throws } from "node:assert/strict";
import * as v from "../../src/config/values.ts";

function ok<T>(parser: v.ValueParser<T>, raw: unknown): T {
  const r = parser.tryParse(raw);
  if (!r.ok) throw new Error(`expected ${JSON.stringify(raw)} to parse: ${r.expected}`);
  return r.value;
}

function bad(parser: v.ValueParser<unknown>, raw: unknown): string {
  const r = parser.tryParse(raw);
  if (r.ok) throw new Error(`expected ${JSON.stringify(raw)} to fail, got ${r.value}`);
  return r.expected;
}

Deno.test("durationMs() reads seconds and duration units", () => {
  equal(ok(v.durationMs, "5"), 5000);
  equal(ok(v.durationMs, "0.5"), 500);
  equal(ok(v.durationMs, 2), 2000);
  equal(ok(v.durationMs, "500ms"), 500);
  equal(ok(v.durationMs, "2s"), 2000);
  equal(ok(v.durationMs, "1m"), 60_000);
  equal(ok(v.durationMs, "1h"), 3_600_000);
  equal(ok(v.durationMs, "1m30s"), 90_000);
  equal(ok(v.durationMs, " 3s "), 3000);
});

Deno.test("durationMs() rejects zero, negative and malformed values", () => {
  match(bad(v.durationMs, "0"), /greater than zero/);
  match(bad(v.durationMs, "0s"), /greater than zero/);
  match(bad(v.durationMs, 0), /greater than zero/);
  match(bad(v.durationMs, -1), /greater than zero/);
  for (const raw of ["-1", "abc", "5x", "1.2.3", "", "s", "5 s", true, null, [1]]) {
    match(bad(v.durationMs, raw), /expected a (positive number|duration)/, String(raw));
  }
});

const size = v.sizeBytesAtMost(2 * 1024 ** 3);
const count = v.positiveIntegerAtMost(1_000_000);

Deno.test("sizeBytesAtMost() reads bytes and binary/decimal units", () => {
  equal(ok(size, "1048576"), 1048576);
  equal(ok(size, 4096), 4096);
  equal(ok(size, "512KiB"), 512 * 1024);
  equal(ok(size, "16MiB"), 16 * 1024 * 1024);
  equal(ok(size, "1GB"), 1e9);
  equal(ok(size, "2kb"), 2000);
  equal(ok(size, "1.5MiB"), 1.5 * 1024 * 1024);
});

Deno.test("sizeBytesAtMost() rejects zero, negative, fractional bytes and unknown units", () => {
  match(bad(size, "0"), /greater than zero/);
  for (const raw of ["-5", "16XB", "MiB", "", 1.5, "abc"]) {
    match(bad(size, raw), /expected a positive size/, String(raw));
  }
});

Deno.test("sizeBytesAtMost() refuses a size over its maximum, naming it", () => {
  equal(ok(size, "2GiB"), 2 * 1024 ** 3);
  for (const raw of ["2049MiB", 2 * 1024 ** 3 + 1, "3GB", "9".repeat(400)]) {
    equal(bad(size, raw), "expected a size of at most 2 GiB", String(raw));
  }
});

Deno.test("port() accepts 1..65535 as numbers or numeric strings", () => {
  equal(ok(v.port, "8080"), 8080);
  equal(ok(v.port, 80), 80);
  equal(ok(v.port, "65535"), 65535);
  for (const raw of ["0", "65536", "-1", "80a", "8.5", 0, 1.5, "", true]) {
    match(bad(v.port, raw), /expected a port number from 1 to 65535/, String(raw));
  }
});

Deno.test("positiveIntegerAtMost() accepts positive integers only", () => {
  equal(ok(count, "10000"), 10000);
  equal(ok(count, 3), 3);
  for (const raw of ["0", "-3", "1.5", "x", 0, 2.5]) {
    match(bad(count, raw), /expected a positive integer/, String(raw));
  }
  equal(ok(count, "1000000"), 1_000_000);
  for (const raw of ["1000001", 1e7, "9".repeat(400), Number.MAX_SAFE_INTEGER]) {
    equal(bad(count, raw), "expected a positive integer of at most 1000000", String(raw));
  }
});

Deno.test("boolean() accepts true/false/1/0/yes/no/on/off in any case", () => {
  for (const raw of ["true", "TRUE", "1", "yes", "Yes", "on", "ON", true]) {
    equal(ok(v.boolean, raw), true, String(raw));
  }
  for (const raw of ["false", "False", "0", "no", "NO", "off", false]) {
    equal(ok(v.boolean, raw), false, String(raw));
  }
  for (const raw of ["maybe", "2", "", "t", 1]) {
    match(bad(v.boolean, raw), /expected true\/false, 1\/0, yes\/no or on\/off/, String(raw));
  }
});

Deno.test("command() splits like a shell, never runs one, and reads JSON exec form", () => {
  deepEqual(ok(v.command, "./test.sh"), ["./test.sh"]);
  deepEqual(ok(v.command, `sh -c 'echo "$HOME" && exit 3'`), [
    "sh",
    "-c",
    `echo "$HOME" && exit 3`,
  ]);
  deepEqual(ok(v.command, `app --name "a b" c\\ d`), ["app", "--name", "a b", "c d"]);
  deepEqual(ok(v.command, `["/bin/app", "--port", "80"]`), ["/bin/app", "--port", "80"]);
  deepEqual(ok(v.command, ["node", "server.js"]), ["node", "server.js"]);
  deepEqual(ok(v.command, "echo $HOME *"), ["echo", "$HOME", "*"]);
});

Deno.test("command() rejects empty and unparsable commands with the reason", () => {
  match(bad(v.command, "   "), /non-empty command/);
  match(bad(v.command, "[]"), /non-empty command/);
  match(bad(v.command, `echo 'oops`), /cannot split the command: unterminated single quote/);
  match(bad(v.command, `echo "oops`), /unterminated double quote/);
  match(bad(v.command, `echo oops\\`), /trailing backslash/);
  match(bad(v.command, `["a", 1]`), /JSON array of strings/);
  match(bad(v.command, `[not json`), /expected a JSON array of strings: /);
  match(bad(v.command, 42), /expected a command line/);
});

Deno.test("dependencies() splits on commas and blanks, drops empties and duplicates", () => {
  const names = (raw: unknown) => ok(v.dependencies, raw).map((d) => d.name);
  deepEqual(names("a, b,"), ["a", "b"]);
  deepEqual(names(",,"), []);
  deepEqual(names("a b\tc\n d"), ["a", "b", "c", "d"]);
  deepEqual(names("db, api, db"), ["db", "api"]);
  // Arrays are the conffile's form, read by dependency_list.ts.
  match(bad(v.dependencies, ["db"]), /expected names separated by commas/);
  match(bad(v.dependencies, 5), /expected names separated by commas/);
});

Deno.test("parse() returns a good value and throws a TypeError naming the expected form", () => {
  deepEqual(v.consulAddress.parse("consul:8500"), { kind: "http", baseUrl: "http://consul:8500" });
  throws(() => v.port.parse("http"), {
    name: "TypeError",
    message: '"http": expected a port number from 1 to 65535',
  });
});

Deno.test("consulAddress() reads host:port, http(s):// and unix:// forms", () => {
  deepEqual(ok(v.consulAddress, "consul:8500"), { kind: "http", baseUrl: "http://consul:8500" });
  deepEqual(ok(v.consulAddress, "127.0.0.1:8500"), {
    kind: "http",
    baseUrl: "http://127.0.0.1:8500",
  });
  deepEqual(ok(v.consulAddress, "http://localhost:8500/"), {
    kind: "http",
    baseUrl: "http://localhost:8500",
  });
  deepEqual(ok(v.consulAddress, "HTTPS://consul.example:8501"), {
    kind: "http",
    baseUrl: "https://consul.example:8501",
  });
  deepEqual(ok(v.consulAddress, "[::1]:8500"), { kind: "http", baseUrl: "http://[::1]:8500" });
  deepEqual(ok(v.consulAddress, "unix:///var/run/consul.sock"), {
    kind: "unix",
    path: "/var/run/consul.sock",
    baseUrl: "http://consul.local",
  });
  for (const raw of ["consul:", "consul:0", "consul:70000", "ftp://x:1", "unix://rel", "a b"]) {
    match(bad(v.consulAddress, raw), /expected host:port, host \(port 8500\), http:\/\//, raw);
  }
});

Deno.test("consulAddress() takes a bare host for the agent's port 8500; a URL keeps its own port", () => {
  deepEqual(ok(v.consulAddress, "consul"), { kind: "http", baseUrl: "http://consul:8500" });
  deepEqual(ok(v.consulAddress, " 10.0.0.7 "), { kind: "http", baseUrl: "http://10.0.0.7:8500" });
  deepEqual(ok(v.consulAddress, "[::1]"), { kind: "http", baseUrl: "http://[::1]:8500" });
  deepEqual(ok(v.consulAddress, "http://consul"), { kind: "http", baseUrl: "http://consul" });
});

Deno.test("kafkaTarget() reads none, broker lists and ZooKeeper addresses", () => {
  equal(ok(v.kafkaTarget, "none"), null);
  equal(ok(v.kafkaTarget, "NONE"), null);
  deepEqual(ok(v.kafkaTarget, "k1:9092,k2:9092"), {
    kind: "brokers",
    brokers: ["k1:9092", "k2:9092"],
  });
  deepEqual(ok(v.kafkaTarget, "zookeeper:2181"), {
    kind: "zookeeper",
    hosts: ["zookeeper:2181"],
    chroot: "/",
  });
  deepEqual(ok(v.kafkaTarget, "zk://z1:2181,z2:2181/kafka"), {
    kind: "zookeeper",
    hosts: ["z1:2181", "z2:2181"],
    chroot: "/kafka",
  });
  deepEqual(ok(v.kafkaTarget, "zk://[::1]:2181/a/b/"), {
    kind: "zookeeper",
    hosts: ["[::1]:2181"],
    chroot: "/a/b",
  });
  for (
    const raw of [
      "kafka",
      "k:1,,x",
      "zk://",
      "zk://z1/x",
      "k1:9092,bad",
      "zk://z1:2181//kafka",
      "zk://z1:2181/a/./b",
      "zk://z1:2181/a/../b",
    ]
  ) {
    match(bad(v.kafkaTarget, raw), /expected none, host:port/, raw);
  }
});

Deno.test("ipAddress(), logLevel() and logFormat() accept their forms only", () => {
  equal(ok(v.ipAddress, "10.0.0.5"), "10.0.0.5");
  equal(ok(v.ipAddress, "fd00::5"), "fd00::5");
  match(bad(v.ipAddress, "10.0.0.256"), /IPv4 or IPv6/);
  match(bad(v.ipAddress, "host"), /IPv4 or IPv6/);
  equal(ok(v.logLevel, "WARN"), "warning");
  equal(ok(v.logLevel, "debug"), "debug");
  match(bad(v.logLevel, "loud"), /trace, debug, info, warning, error, fatal/);
  equal(ok(v.logFormat, "JSON"), "json");
  match(bad(v.logFormat, "xml"), /expected text or json/);
});

Deno.test("nameList() reads tags from a string or an array", () => {
  deepEqual(ok(v.nameList, "a, b c"), ["a", "b", "c"]);
  deepEqual(ok(v.nameList, ["x", "y"]), ["x", "y"]);
  match(bad(v.nameList, 3), /expected names/);
});
