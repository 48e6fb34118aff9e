import { equal, match, rejects, throws } from "node:assert/strict";
import { ScramClient, ScramError } from "../../../src/logs/kafka/scram.ts";

// RFC 7677, section 3: user "user", password "pencil".
const CLIENT_NONCE = "rOprNGfwEbeRWgbNEkqO";
const SERVER_FIRST = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0," +
  "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
const CLIENT_FINAL = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0," +
  "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
const SERVER_FINAL = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

Deno.test("ScramClient reproduces RFC 7677's SCRAM-SHA-256 exchange", async () => {
  const client = new ScramClient("SCRAM-SHA-256", "user", "pencil", CLIENT_NONCE);
  equal(client.firstMessage(), `n,,n=user,r=${CLIENT_NONCE}`);
  equal(await client.finalMessage(SERVER_FIRST), CLIENT_FINAL);
  client.verifyServerFinal(SERVER_FINAL);
});

Deno.test("ScramClient refuses a server that does not know the password or breaks SCRAM", async () => {
  const client = new ScramClient("SCRAM-SHA-256", "user", "pencil", CLIENT_NONCE);
  await client.finalMessage(SERVER_FIRST);
  throws(
    () => client.verifyServerFinal("v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="),
    (e) => e instanceof ScramError && /signature is wrong/.test(e.message),
  );
  throws(
    () => client.verifyServerFinal("e=invalid-proof"),
    (e) => e instanceof ScramError && /refused: invalid-proof/.test(e.message),
  );
  await rejects(
    new ScramClient("SCRAM-SHA-256", "user", "pencil", "abc").finalMessage(
      "r=xyz123,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
    ),
    (e) => e instanceof ScramError && /nonce/.test(e.message),
  );
  await rejects(
    new ScramClient("SCRAM-SHA-512", "user", "pencil", "abc").finalMessage("r=abcdef"),
    (e) => e instanceof ScramError && /not SCRAM's/.test(e.message),
  );
});

Deno.test("ScramClient refuses more iterations than Kafka allows, at once, and cuts a long message short", async () => {
  await rejects(
    new ScramClient("SCRAM-SHA-512", "user", "pencil", "abc").finalMessage(
      "r=abcdef,s=c2FsdA==,i=4294967295",
    ),
    (e) =>
      e instanceof ScramError &&
      e.message ===
        "the server asks for 4294967295 iterations of the password's hash; Kafka's maximum, " +
          "16384, expected",
  );
  await rejects(
    new ScramClient("SCRAM-SHA-512", "user", "pencil", "abc").finalMessage(`x=${"y".repeat(500)}`),
    (e) => e instanceof ScramError && /y{118}… \(502 chars\)$/.test(e.message),
  );
  // Kafka's maximum itself is taken.
  const client = new ScramClient("SCRAM-SHA-256", "user", "pencil", "abc");
  match(await client.finalMessage("r=abcdef,s=c2FsdA==,i=16384"), /^c=biws,r=abcdef,p=/);
});

Deno.test("ScramClient escapes = and , in the user name", () => {
  const client = new ScramClient("SCRAM-SHA-512", "a=b,c", "x", "n0nce");
  equal(client.firstMessage(), "n,,n=a=3Db=2Cc,r=n0nce");
});
