import { deepEqual, equal, match, ok } from "node:assert/strict";
import { eventually } from "../support/eventually.ts";
import { lines, startPilot, tempDir } from "../support/pilot.ts";
import { recordPilotOutput, TEST_SECRETS } from "../support/secrets.ts";
import { startConsul } from "../support/consul.ts";
import { passingIds } from "../support/dependency.ts";
import { PILOT_ENTRY } from "../support/entry.ts";

const SEED = new URL("../fixtures/seed_conffile.json", import.meta.url).pathname;

/** Runs `deno run main.ts …` with exactly `env` (plus PATH/HOME) and returns its outcome. */
async function pilot(args: string[], env: Record<string, string> = {}) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--frozen", PILOT_ENTRY, ...args],
    env: { PATH: Deno.env.get("PATH") ?? "", HOME: Deno.env.get("HOME") ?? "", ...env },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  const [out, err] = [decoder.decode(stdout), decoder.decode(stderr)];
  recordPilotOutput(env, out, err);
  return { code, out, err };
}

/** The seed README's environment variables, with a command. */
const SEED_ENV = {
  CONSUL: "consul:8500",
  SERVICE_NAME: "test",
  AMPPILOT_LAUNCH_CMD: "./test.sh",
  AMPPILOT_READY_CMD: "./checkReady.sh",
  AMPPILOT_NETINTERFACE: "eth0",
  AMPPILOT_REGISTEREDPORT: "8080",
  AMPPILOT_STARTUPCHECKPERIOD: "1",
  AMPPILOT_CHECKPERIOD: "10",
  AMPPILOT_STOPATMATESTOP: "false",
  KAFKA: "zookeeper:2181",
  KAFKA_TOPIC: "amp-logs",
  DEPENDENCIES: "amp-log-worker, db",
  AMPPILOT_AMPLOGWORKER_ONLYATSTARTUP: "true",
  CONSUL_HTTP_TOKEN: TEST_SECRETS.consulToken,
};

Deno.test("main.ts check prints the effective configuration with its sources", async () => {
  const { code, out, err } = await pilot(["check"], SEED_ENV);
  equal(code, 0, err);
  match(out, /configuration is valid; Consul mode/);
  match(out, /Consul address\s+http:\/\/consul:8500\s+env: CONSUL/);
  match(
    out,
    /dependencies \(Consul service names\)\s+amp-log-worker \(only at startup\), db\s+env/,
  );
  match(out, /registered port\s+8080\s+env: AMPPILOT_REGISTEREDPORT/);
  match(out, /Kafka topic\s+amp-logs\s+env: KAFKA_TOPIC/);
  match(out, /pilot log level\s+info\s+default/);
  match(out, /Consul ACL token\s+<redacted>\s+env: CONSUL_HTTP_TOKEN/);
  ok(!out.includes(TEST_SECRETS.consulToken) && !err.includes(TEST_SECRETS.consulToken));
});

Deno.test("main.ts check --json prints one JSON object", async () => {
  const { code, out } = await pilot(["check", "--json"], SEED_ENV);
  equal(code, 0);
  const report = JSON.parse(out);
  equal(report.registeredPort.value, 8080);
  equal(report.consulToken.value, "<redacted>");
  equal(report.registeredPort.source.source, "env");
});

Deno.test("main.ts check exits 2 with one line per malformed value, naming the variable", async () => {
  const malformed: Record<string, string> = {
    CONSUL: "consul:",
    AMPPILOT_REGISTEREDPORT: "eighty",
    AMPPILOT_STARTUPCHECKPERIOD: "0",
    AMPPILOT_CHECKPERIOD: "-5",
    AMPPILOT_STOPATMATESTOP: "perhaps",
    AMPPILOT_STOPTIMEOUT: "1x",
    AMPPILOT_DEREGISTERAFTER: "",
    AMPPILOT_READYTIMEOUT: "never",
    AMPPILOT_KAFKABUFFER: "many",
    AMPPILOT_KAFKABUFFERBYTES: "16 parsecs",
    AMPPILOT_LOGLEVEL: "loud",
    AMPPILOT_LOGFORMAT: "xml",
    AMPPILOT_REGISTEREDIP: "300.1.1.1",
    AMPPILOT_READY_CMD: `["unterminated"`,
    KAFKA: "kafka",
    AMPPILOT_STANDALONE: "nah",
  };
  const { code, err, out } = await pilot(["check"], {
    ...SEED_ENV,
    ...malformed,
    AMPPILOT_AMPLOGWORKER_ONLYATSTARTUP: "sure",
  });
  equal(code, 2);
  equal(out, "");
  const lines = err.trim().split("\n");
  for (const variable of [...Object.keys(malformed), "AMPPILOT_AMPLOGWORKER_ONLYATSTARTUP"]) {
    if (malformed[variable] === "") continue; // empty means unset
    ok(
      lines.some((l) => l.startsWith(`amp-pilot: configuration error: ${variable}=`)),
      `no line for ${variable} in:\n${err}`,
    );
  }
  ok(lines.every((l) => l.startsWith("amp-pilot: configuration error: ")), err);
  ok(!err.includes("at ") || !/\n\s+at /.test(err), "no stack trace");
});

Deno.test("main.ts check points at the line and column of the seed's conffile", async () => {
  const { code, err } = await pilot(["check"], {
    AMPPILOT_CONFFILE: SEED,
    AMPPILOT_LAUNCH_CMD: "x",
  });
  equal(code, 2);
  match(err, /conffile .*seed_conffile\.json: invalid JSON at line 7, column 9/);
});

Deno.test("main.ts check takes the command after --", async () => {
  const { code, out } = await pilot(["check", "--", "sh", "-c", "echo hi"]);
  equal(code, 0);
  match(out, /launch command\s+\["sh","-c","echo hi"\]\s+cli: arguments after --/);
  match(out, /direct mode/);
});

Deno.test("main.ts version, --help and usage errors", async () => {
  const version = await pilot(["version"]);
  equal(version.code, 0);
  match(version.out, /^amp-pilot \d+\.\d+\.\d+ \(deno /);
  const help = await pilot(["check", "--help"]);
  equal(help.code, 0);
  match(help.out, /Usage: amp-pilot check/);
  match(help.out, /AMPPILOT_REGISTEREDPORT, conffile "RegisteredPort",\s+conffile "RegisterPort"/);
  match(help.out, /grace between SIGTERM and SIGKILL \(at most 1h\)\s+AMPPILOT_STOPTIMEOUT/);
  match(help.out, /removes a critical instance after \(at most 168h\)\s+AMPPILOT_DEREGISTERAFTER/);
  match(help.out, /AMPPILOT_KAFKA_SASL_MECHANISM,\s+AMPPILOT_KAFKA_USERNAME/);
  match(help.out, /CONSUL_CACERT, CONSUL_CLIENT_CERT, CONSUL_CLIENT_KEY;/);
  const flag = await pilot(["check", "--nope"]);
  equal(flag.code, 2);
  match(flag.err, /unknown option '--nope'/);
  match(flag.err, /Usage: amp-pilot check/);
});

/** A mate that traps SIGTERM, takes a second to clean up, and exits 7. */
function termTrappingMate(log: string): string[] {
  return [
    "sh",
    "-c",
    `trap 'sleep 1; echo cleaned >> ${log}; exit 7' TERM; echo started >> ${log}; ` +
    "while :; do sleep 0.1; done",
  ];
}

Deno.test("a stop timeout past its maximum (600h) is exit 2 naming the variable; the mate never starts", async () => {
  await using dir = await tempDir();
  const log = `${dir.path}/mate.log`;
  await using pilot = startPilot({ AMPPILOT_STOPTIMEOUT: "600h" }, termTrappingMate(log));
  equal((await pilot.status).code, 2);
  equal(
    pilot.stderr(),
    'amp-pilot: configuration error: AMPPILOT_STOPTIMEOUT="600h": expected a duration of at most 1h\n',
  );
  deepEqual(await lines(log), []);
});

Deno.test("a stop timeout at its maximum (1h) gives a TERM-trapping mate its time to clean up", async () => {
  await using dir = await tempDir();
  const log = `${dir.path}/mate.log`;
  await using pilot = startPilot({ AMPPILOT_STOPTIMEOUT: "1h" }, termTrappingMate(log));
  await eventually(async () => deepEqual(await lines(log), ["started"]), 15_000);
  pilot.signal("SIGTERM");
  equal((await pilot.status).code, 7, pilot.stderr());
  deepEqual(await lines(log), ["started", "cleaned"]);
});

Deno.test("main.ts check refuses a FIFO, /dev/zero and a secret file with a line inside, at once and without showing it", async () => {
  await using dir = await tempDir();
  const fifo = `${dir.path}/conffile.fifo`;
  equal((await new Deno.Command("mkfifo", { args: [fifo] }).output()).code, 0);
  const token = `${dir.path}/token`;
  await Deno.writeTextFile(token, `${TEST_SECRETS.consulTokenInFile}\nsecond-line-of-token\n`);
  const { code, out, err } = await pilot(["check"], {
    AMPPILOT_CONFFILE: fifo,
    AMPPILOT_LAUNCH_CMD: "app",
    CONSUL_HTTP_TOKEN_FILE: token,
    KAFKA: "k:9092",
    AMPPILOT_KAFKA_CACERT: "/dev/zero",
  });
  equal(code, 2);
  equal(out, "");
  deepEqual(err.trim().split("\n"), [
    `amp-pilot: configuration error: AMPPILOT_CONFFILE=${fifo}: cannot read the file: it is a FIFO, not a file`,
    `amp-pilot: configuration error: CONSUL_HTTP_TOKEN_FILE=${token}: it holds a line break (only one at the end is allowed); expected a file holding the ACL token`,
    "amp-pilot: configuration error: AMPPILOT_KAFKA_CACERT=/dev/zero: cannot read the file: it is a character device, not a file",
  ]);
});

/** A mate that prints its arguments between bars and exits 5. */
const ECHO_ARGS = ["sh", "-c", 'printf "%s|" "$@"; exit 5', "mate"];

Deno.test("amp-pilot /app --flag runs the mate with every argument, like tini; run and -- too", async () => {
  const tini = await pilot([...ECHO_ARGS, "--help", "--", "check", "-V"]);
  equal(tini.code, 5, tini.err);
  equal(tini.out, "--help|--|check|-V|");
  equal(tini.err, "");
  const run = await pilot(["run", ...ECHO_ARGS, "a b"]);
  deepEqual([run.code, run.out], [5, "a b|"]);
  const dashes = await pilot(["run", "--", ...ECHO_ARGS, "--json"]);
  deepEqual([dashes.code, dashes.out], [5, "--json|"]);
  const check = await pilot(["check", "--json", "sh", "-c", "true"]);
  equal(check.code, 0, check.err);
  deepEqual(JSON.parse(check.out).cmd, {
    value: ["sh", "-c", "true"],
    source: { source: "cli", origin: "arguments after --" },
  });
});

Deno.test("a misspelt command that is no program either is a usage error naming the command", async () => {
  const typo = await pilot(["chek", "--json"]);
  equal(typo.code, 2);
  match(
    typo.err,
    /^amp-pilot: unknown command "chek", and no program of that name to run; did you mean amp-pilot check\?\n\namp-pilot: container/,
  );
  const explicit = await pilot(["--", "chek"]);
  equal(explicit.code, 127, explicit.err);
});

Deno.test("a mate named like an amp-pilot command runs after --; without it the command runs", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(`${dir.path}/check`, '#!/bin/sh\necho "mate named check: $*"\n');
  await Deno.chmod(`${dir.path}/check`, 0o755);
  const env = { PATH: `${dir.path}:${Deno.env.get("PATH")}` };
  const mate = await pilot(["--", "check", "x"], env);
  deepEqual([mate.code, mate.out], [0, "mate named check: x\n"]);
  const command = await pilot(["check"], env);
  equal(command.code, 2);
  match(command.err, /configuration error: no launch command/);
});

Deno.test("amp-pilot /app in Consul mode registers the mate and stops it on SIGTERM", async () => {
  await using consul = await startConsul();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      "--frozen",
      PILOT_ENTRY,
      "sh",
      "-c",
      'trap "exit 0" TERM; echo "up $0"; while :; do sleep 0.1; done',
      "tini-form",
    ],
    env: {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: Deno.env.get("HOME") ?? "",
      CONSUL: consul.address,
      SERVICE_NAME: "tini-web",
      AMPPILOT_REGISTEREDIP: "127.0.0.1",
      AMPPILOT_STARTUPCHECKPERIOD: "0.2",
    },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = child.output();
  try {
    await eventually(async () => equal((await passingIds(consul.address, "tini-web")).length, 1));
  } finally {
    child.kill("SIGTERM");
  }
  const { code, stdout, stderr } = await output;
  const err = new TextDecoder().decode(stderr);
  equal(code, 0, err);
  equal(new TextDecoder().decode(stdout), "up tini-form\n");
  deepEqual(await passingIds(consul.address, "tini-web"), [], "deregistered on SIGTERM");
});

Deno.test("a misspelt AMPPILOT_ variable and a command written for a shell are warned of at check and at run", async () => {
  const env = {
    AMPPILOT_CHEKPERIOD: "5",
    AMPPILOT_STOPTIMOUT: "1s",
    AMPPILOT_LAUNCH_CMD: "echo $HOME && echo done",
  };
  const warnings = [
    "amp-pilot: warning: AMPPILOT_CHEKPERIOD: not a setting; did you mean AMPPILOT_CHECKPERIOD?",
    "amp-pilot: warning: AMPPILOT_STOPTIMOUT: not a setting; did you mean AMPPILOT_STOPTIMEOUT?",
    'amp-pilot: warning: AMPPILOT_LAUNCH_CMD: "$HOME", "&&" reach the program as written: ' +
    "no shell is involved; write sh -c '…' to use one",
  ];
  const check = await pilot(["check"], env);
  equal(check.code, 0, check.err);
  deepEqual(check.err.trimEnd().split("\n"), warnings);
  const run = await pilot([], { ...env, AMPPILOT_LOGFORMAT: "json" });
  equal(run.code, 0, run.err);
  equal(run.out, "$HOME && echo done\n");
  const logged = run.err.trimEnd().split("\n").map((line) => JSON.parse(line));
  ok(logged.every((r) => /^warn/i.test(r.level)), run.err);
  deepEqual(
    logged.map((r) => r.message),
    warnings.map((w) => w.replace("amp-pilot: warning: ", "")),
  );
});

Deno.test("CONSUL=consul means the agent's port 8500", async () => {
  const { code, out } = await pilot(["check", "--json"], { ...SEED_ENV, CONSUL: "consul" });
  equal(code, 0);
  equal(JSON.parse(out).consul.value.baseUrl, "http://consul:8500");
});
