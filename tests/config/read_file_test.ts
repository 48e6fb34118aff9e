import { equal } from "node:assert/strict";
import {
  FileRefusedError,
  MAX_CONFIG_FILE_BYTES,
  readBoundedTextFile,
} from "../../src/config/read_file.ts";
import { loadConfig } from "../../src/config/load.ts";
import { ConfigError } from "../../src/config/errors.ts";
import { tempDir } from "../support/pilot.ts";

async function refusal(path: string, maxBytes = MAX_CONFIG_FILE_BYTES): Promise<string> {
  try {
    await readBoundedTextFile(path, maxBytes);
  } catch (e) {
    if (e instanceof FileRefusedError) return e.message;
    throw e;
  }
  throw new Error(`expected ${path} to be refused`);
}

Deno.test("readBoundedTextFile() reads a regular file up to its limit", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/ok.json`;
  await Deno.writeTextFile(path, "x".repeat(100));
  equal(await readBoundedTextFile(path, 100), "x".repeat(100));
  equal(await refusal(path, 99), "it is larger than 99 bytes");
});

Deno.test("readBoundedTextFile() refuses a file over 1 MiB without reading it", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/big.json`;
  await Deno.writeFile(path, new Uint8Array(MAX_CONFIG_FILE_BYTES + 1));
  equal(await refusal(path), "it is larger than 1 MiB");
});

Deno.test("readBoundedTextFile() refuses /dev/zero, a directory and a FIFO, and never blocks", async () => {
  equal(await refusal("/dev/zero"), "it is a character device, not a file");
  await using dir = await tempDir();
  equal(await refusal(dir.path), "it is a directory, not a file");
  const fifo = `${dir.path}/fifo`;
  const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
  equal(made.code, 0);
  // Opening a FIFO without a writer would block forever: the stat before it must refuse it.
  equal(await refusal(fifo), "it is a FIFO, not a file");
});

Deno.test("readBoundedTextFile() reads at most one byte past the limit of a file whose size lies", async () => {
  // /proc files report a size of 0 whatever they hold.
  const text = await readBoundedTextFile("/proc/self/status", MAX_CONFIG_FILE_BYTES);
  equal(text.startsWith("Name:"), true);
  equal(await refusal("/proc/self/status", 10), "it is larger than 10 bytes");
});

Deno.test("loadConfig() names the variable of a conffile, token or PEM file it refuses", async () => {
  await using dir = await tempDir();
  const big = `${dir.path}/big`;
  await Deno.writeFile(big, new Uint8Array(MAX_CONFIG_FILE_BYTES + 1).fill(65));
  const problems = async (env: Record<string, string>) => {
    const error = await loadConfig({ env: { AMPPILOT_LAUNCH_CMD: "x", ...env } }).then(
      () => undefined,
      (e) => e,
    );
    if (!(error instanceof ConfigError)) throw new Error(`expected a ConfigError: ${error}`);
    return error.problems;
  };
  equal(
    (await problems({ AMPPILOT_CONFFILE: "/dev/zero" }))[0],
    "AMPPILOT_CONFFILE=/dev/zero: cannot read the file: it is a character device, not a file",
  );
  equal(
    (await problems({ AMPPILOT_CONFFILE: big }))[0],
    `AMPPILOT_CONFFILE=${big}: cannot read the file: it is larger than 1 MiB`,
  );
  equal(
    (await problems({ CONSUL_HTTP_TOKEN_FILE: big }))[0],
    `CONSUL_HTTP_TOKEN_FILE=${big}: cannot read the token file: it is larger than 4 KiB`,
  );
  equal(
    (await problems({ CONSUL_HTTP_TOKEN_FILE: dir.path }))[0],
    `CONSUL_HTTP_TOKEN_FILE=${dir.path}: cannot read the token file: it is a directory, not a file`,
  );
  equal(
    (await problems({ KAFKA: "k:9092", AMPPILOT_KAFKA_CACERT: "/dev/zero" }))[0],
    "AMPPILOT_KAFKA_CACERT=/dev/zero: cannot read the file: it is a character device, not a file",
  );
  equal(
    (await problems({ CONSUL: "https://c:8501", SERVICE_NAME: "s", CONSUL_CACERT: big }))[0],
    `CONSUL_CACERT=${big}: cannot read the file: it is larger than 1 MiB`,
  );
});

Deno.test("loadConfig() accepts a conffile that starts with a UTF-8 byte-order mark", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/bom.json`;
  await Deno.writeFile(
    path,
    new Uint8Array([
      0xef,
      0xbb,
      0xbf,
      ...new TextEncoder().encode('{"Cmd": "app", "CheckPeriod": 7}'),
    ]),
  );
  const { config } = await loadConfig({ env: { AMPPILOT_CONFFILE: path } });
  equal(config.checkPeriodMs, 7000);
});
