import { equal, match, ok } from "node:assert/strict";
import { runCli } from "../../src/cli/cli.ts";
import { consulAddress } from "../../src/config/values.ts";
import { ConsulClient } from "../../src/consul/client.ts";
import { startConsul } from "../support/consul.ts";
import { freePorts } from "../support/ports.ts";
import { publishInstance } from "../support/published.ts";

async function graph(address: string, ...flags: string[]): Promise<[number, string, string]> {
  let out = "";
  let err = "";
  const code = await runCli(["graph", ...flags], {
    env: { CONSUL: address },
    out: (t) => (out += t),
    err: (t) => (err += t),
  });
  return [code, out, err];
}

Deno.test("graph prints a real chain of registrations with each state, and names a cycle", async () => {
  await using consul = await startConsul();
  const client = new ConsulClient({ address: consulAddress.parse(consul.address) });
  try {
    await publishInstance(client, "db", [], "passing");
    await publishInstance(client, "api", ["db"], "critical");
    await publishInstance(client, "web", [
      { name: "api", onlyAtStartup: false },
      { name: "logs", onlyAtStartup: true },
    ], "passing");
    let [code, out] = await graph(consul.address);
    equal(code, 0);
    equal(
      out,
      "api (unhealthy, 0/1 passing) → db\n" +
        "db (healthy, 1/1 passing)\n" +
        "logs (not registered)\n" +
        "web (healthy, 1/1 passing) → api, logs (only at startup)\n",
    );
    [code, out] = await graph(consul.address, "--dot");
    equal(code, 0);
    match(out, /^digraph amp_pilot \{\n/);
    match(out, /"web" -> "logs" \[style=dashed\];/);
    match(out, /"api" \[label="api\\nunhealthy, 0\/1 passing" color=red\];/);
    [code, out] = await graph(consul.address, "--mermaid");
    equal(code, 0);
    match(out, /^graph TD\n/);
    match(out, /s3 -\.-> s2/); // web -.-> logs (sorted: api s0, db s1, logs s2, web s3)

    await publishInstance(client, "db", ["web"], "passing");
    [code, out] = await graph(consul.address);
    match(out, /^cycle: api → db → web → api$/m);
  } finally {
    client.close();
  }
});

Deno.test("graph without Consul says so in one line and exits 1", async () => {
  const [port] = await freePorts(1);
  const [code, out, err] = await graph(`127.0.0.1:${port}`);
  equal(code, 1);
  equal(out, "");
  match(
    err,
    /^amp-pilot: graph: Consul call GET \/v1\/catalog\/services failed: cannot connect: connection refused\n$/,
  );
});

Deno.test("graph refuses an address with a password without showing the password", async () => {
  const [code, out, err] = await graph("http://admin:s3cret-of-graph@consul:8500");
  equal(code, 2);
  equal(out, "");
  match(
    err,
    /^amp-pilot: graph: CONSUL="http:\/\/admin:<redacted>@consul:8500": expected [^\n]+\n$/,
  );
  ok(!err.includes("s3cret-of-graph"), err);
});

Deno.test("graph reads an HTTPS agent whose certificate a private CA signed (CONSUL_CACERT)", async () => {
  await using consul = await startConsul({ tls: "server" });
  const tls = consul.tls!;
  const client = new ConsulClient({ address: consulAddress.parse(consul.address) });
  try {
    await publishInstance(client, "db", [], "passing");
  } finally {
    client.close();
  }
  let out = "";
  let err = "";
  const code = await runCli(["graph"], {
    env: { CONSUL: tls.address, CONSUL_CACERT: tls.caFile },
    out: (t) => (out += t),
    err: (t) => (err += t),
  });
  equal(err, "");
  equal(code, 0);
  match(out, /^db \(healthy, 1\/1 passing\)\n/m);
});
