import { equal, match, ok, rejects } from "node:assert/strict";
import { consulAddress } from "../../src/config/values.ts";
import { ConsulClient } from "../../src/consul/client.ts";
import { ConsulError } from "../../src/consul/errors.ts";
import { startConsul } from "../support/consul.ts";
import { passingIds } from "../support/dependency.ts";
import { eventually } from "../support/eventually.ts";
import { startPilot } from "../support/pilot.ts";

const read = (path: string) => Deno.readTextFileSync(path);

Deno.test("Consul over TLS, the agent's certificate signed by a private CA", async (t) => {
  await using consul = await startConsul({ tls: "server" });
  const tls = consul.tls!;
  const address = consulAddress.parse(tls.address);

  await t.step("with CONSUL_CACERT's CA the client talks to the agent", async () => {
    using client = closing(new ConsulClient({ address, tls: { caCerts: [read(tls.caFile)] } }));
    match(await client.value.leader(), /^127\.0\.0\.1:\d+$/);
  });

  await t.step("without it the call fails and says it is a certificate problem", async () => {
    using client = closing(new ConsulClient({ address }));
    await rejects(
      client.value.leader(),
      (e) =>
        e instanceof ConsulError &&
        /UnknownIssuer.*set CONSUL_CACERT to its PEM file/.test(e.message),
    );
  });

  await t.step("a pilot with CONSUL_CACERT registers its mate over https", async () => {
    await using pilot = startPilot(
      {
        CONSUL: tls.address,
        CONSUL_CACERT: tls.caFile,
        SERVICE_NAME: "tls-web",
        AMPPILOT_REGISTEREDIP: "127.0.0.1",
      },
      ["sleep", "600"],
    );
    await eventually(async () => equal((await passingIds(consul.address, "tls-web")).length, 1));
    pilot.signal("SIGTERM");
    equal((await pilot.status).code, 143);
  });
});

Deno.test("Consul over TLS requiring a client certificate", async () => {
  await using consul = await startConsul({ tls: "mutual" });
  const tls = consul.tls!;
  const address = consulAddress.parse(tls.address);
  const caCerts = [read(tls.caFile)];
  using anonymous = closing(new ConsulClient({ address, tls: { caCerts } }));
  await rejects(anonymous.value.leader(), ConsulError);
  using identified = closing(
    new ConsulClient({
      address,
      tls: { caCerts, cert: read(tls.clientCertFile), key: read(tls.clientKeyFile) },
    }),
  );
  ok((await identified.value.leader()).length > 0);
});

/** Closes a client at the end of the block. */
function closing(client: ConsulClient): { value: ConsulClient } & Disposable {
  return { value: client, [Symbol.dispose]: () => client.close() };
}
