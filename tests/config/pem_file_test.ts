import { equal } from "node:assert/strict";
import { pemProblem } from "../../src/config/pem_file.ts";
import { TEST_CA_PEM, TEST_KEY_PEM } from "../support/pem.ts";

Deno.test("pemProblem() takes whole certificates and keys, one or several, with CRLF too", () => {
  equal(pemProblem(TEST_CA_PEM), undefined);
  equal(pemProblem(TEST_KEY_PEM), undefined);
  equal(pemProblem(`# our CA\n${TEST_CA_PEM}\n${TEST_CA_PEM}`), undefined);
  equal(pemProblem(TEST_CA_PEM.replaceAll("\n", "\r\n")), undefined);
  equal(
    pemProblem(TEST_CA_PEM.replace("BEGIN CERTIFICATE-----", "BEGIN CERTIFICATE----- \t")),
    undefined,
  );
  // OpenSSL's TRUSTED CERTIFICATE holds the certificate and more: base64 is all that is checked.
  equal(
    pemProblem(
      "-----BEGIN TRUSTED CERTIFICATE-----\nMAAwAA==\n-----END TRUSTED CERTIFICATE-----\n",
    ),
    undefined,
  );
});

Deno.test("pemProblem() names a block cut short, garbled, or without its END line", () => {
  const lines = TEST_CA_PEM.trim().split("\n");
  const cut = [...lines.slice(0, 4), lines.at(-1)!].join("\n");
  equal(pemProblem(cut), "the CERTIFICATE block is cut short or garbled");
  equal(
    pemProblem(lines.slice(0, 4).join("\n")),
    "a PEM block has no END line (the file is cut short?)",
  );
  equal(
    pemProblem("-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n"),
    "the CERTIFICATE block is not base64",
  );
  equal(
    pemProblem("-----BEGIN CERTIFICATE-----\naGVsbG8=\n-----END CERTIFICATE-----\n"),
    "the CERTIFICATE block is cut short or garbled",
  );
  equal(
    pemProblem(
      "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n" +
        "MAA=\n-----END RSA PRIVATE KEY-----\n",
    ),
    "the RSA PRIVATE KEY block is encrypted (Deno cannot use a key with a passphrase)",
  );
  equal(
    pemProblem(TEST_CA_PEM.replace("END CERTIFICATE", "END PRIVATE KEY")),
    "a PEM block begins as CERTIFICATE and ends as PRIVATE KEY",
  );
});
