import { deepEqual, equal, match, ok, rejects } from "node:assert/strict";
import { ConfigError } from "../../src/config/errors.ts";
import { loadConfig, type LoadOptions } from "../../src/config/load.ts";

const SEED_CONFFILE = new URL("../fixtures/seed_conffile.json", import.meta.url);

function files(map: Record<string, string>): (path: string) => Promise<string> {
  return (path) =>
    path in map ? Promise.resolve(map[path]!) : Promise.reject(new Deno.errors.NotFound(path));
}

async function load(env: Record<string, string>, extra: Partial<LoadOptions> = {}) {
  return await loadConfig({ env, randomSuffix: () => "abcd1234", ...extra });
}

async function problems(
  env: Record<string, string>,
  extra: Partial<LoadOptions> = {},
): Promise<readonly string[]> {
  try {
    await load(env, extra);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error("expected a configuration error");
}

Deno.test("loadConfig() gives the SPEC defaults in direct mode", async () => {
  const { config, sources } = await load({ AMPPILOT_LAUNCH_CMD: "app" });
  equal(config.consul, undefined);
  deepEqual(config.cmd, ["app"]);
  equal(config.netInterface, "eth0");
  equal(config.registeredPort, 80);
  equal(config.startupCheckPeriodMs, 1000);
  equal(config.checkPeriodMs, 10_000);
  equal(config.stopAtMateStop, false);
  deepEqual(config.dependencies, []);
  equal(config.kafka, undefined);
  equal(config.kafkaTopic, "amp-logs");
  equal(config.stopTimeoutMs, 5000);
  equal(config.deregisterAfterMs, 60_000);
  equal(config.logLevel, "info");
  equal(config.logFormat, "text");
  equal(config.readyTimeoutMs, 5000);
  equal(config.kafkaBuffer, 10_000);
  equal(config.kafkaBufferBytes, 16 * 1024 * 1024);
  equal(config.serviceId, "mate-abcd1234");
  deepEqual(sources.registeredPort, { source: "default" });
  deepEqual(sources.cmd, { source: "env", origin: "AMPPILOT_LAUNCH_CMD" });
});

Deno.test("loadConfig() treats empty variables as unset", async () => {
  const { config } = await load({
    AMPPILOT_LAUNCH_CMD: "app",
    CONSUL: "",
    AMPPILOT_CHECKPERIOD: "",
  });
  equal(config.consul, undefined);
  equal(config.checkPeriodMs, 10_000);
});

Deno.test("loadConfig() reads every alias", async () => {
  const base = { AMPPILOT_LAUNCH_CMD: "app", SERVICE_NAME: "web" };
  equal(
    (await load({ ...base, CONSUL_HTTP_ADDR: "c:8500" })).config.consul?.baseUrl,
    "http://c:8500",
  );
  equal((await load({ ...base, AMPPILOT_APPLICATIONSTOP: "true" })).config.stopAtMateStop, true);
  equal((await load({ ...base, AMPPILOT_STOPATMATESTOP: "on" })).config.stopAtMateStop, true);
  deepEqual((await load({ ...base, AMPPILOT_KAFKA: "k:9092" })).config.kafka, {
    kind: "brokers",
    brokers: ["k:9092"],
  });
  const deps = {
    ...base,
    DEPENDENCIES: "amp-log-worker, db.main",
    AMPPILOT_AMPLOGWORKER_ONLYONSTARTUP: "true",
    AMPPILOT_DBMAIN_ONLYATSTARTUP: "yes",
  };
  deepEqual((await load(deps)).config.dependencies, [
    { name: "amp-log-worker", onlyAtStartup: true },
    { name: "db.main", onlyAtStartup: true },
  ]);
  const conf = files({
    "/c.json": JSON.stringify({ applicationstop: true, REGISTERPORT: "8080", cmd: ["x"] }),
  });
  const fromFile = await load({ AMPPILOT_CONFFILE: "/c.json" }, { readTextFile: conf });
  equal(fromFile.config.stopAtMateStop, true);
  equal(fromFile.config.registeredPort, 8080);
});

Deno.test("loadConfig() prefers the first alias and warns when another disagrees", async () => {
  const { config, warnings } = await load({
    AMPPILOT_LAUNCH_CMD: "app",
    SERVICE_NAME: "web",
    CONSUL: "a:8500",
    CONSUL_HTTP_ADDR: "b:8500",
  });
  equal(config.consul?.baseUrl, "http://a:8500");
  ok(warnings.some((w) => /CONSUL is used; CONSUL_HTTP_ADDR set too and ignored/.test(w)));
});

Deno.test("loadConfig() applies precedence: defaults < loader < conffile < env < cli", async () => {
  const readTextFile = files({
    "/p.json": JSON.stringify({ Name: "from-file", CheckPeriod: 7, RegisteredPort: 81 }),
  });
  const { config, sources } = await load(
    { AMPPILOT_CONFFILE: "/p.json", AMPPILOT_CHECKPERIOD: "9", AMPPILOT_LAUNCH_CMD: "env-cmd" },
    {
      readTextFile,
      args: ["cli-cmd", "--flag"],
      loader: { name: "from-loader", registeredPort: 82, tags: ["loader"], cmd: ["loader-cmd"] },
    },
  );
  equal(config.name, "from-file");
  equal(config.checkPeriodMs, 9000);
  equal(config.registeredPort, 81);
  deepEqual(config.tags, ["loader"]);
  deepEqual(config.cmd, ["cli-cmd", "--flag"]);
  equal(sources.name?.source, "conffile");
  equal(sources.checkPeriodMs?.source, "env");
  equal(sources.tags?.source, "loader");
  equal(sources.cmd?.source, "cli");
});

Deno.test("loadConfig() reports every problem at once, each naming its variable", async () => {
  const found = await problems({
    CONSUL: "no host",
    AMPPILOT_CHECKPERIOD: "-1",
    AMPPILOT_STARTUPCHECKPERIOD: "0",
    AMPPILOT_REGISTEREDPORT: "http",
    AMPPILOT_STOPATMATESTOP: "perhaps",
    AMPPILOT_KAFKABUFFER: "1e3",
    AMPPILOT_KAFKABUFFERBYTES: "lots",
    AMPPILOT_STOPTIMEOUT: "soon",
    AMPPILOT_READYTIMEOUT: "0ms",
    AMPPILOT_DEREGISTERAFTER: "x",
    AMPPILOT_LOGLEVEL: "chatty",
    AMPPILOT_LOGFORMAT: "yaml",
    AMPPILOT_REGISTEREDIP: "1.2.3",
    AMPPILOT_LAUNCH_CMD: "'unclosed",
    AMPPILOT_READY_CMD: "[1,2]",
    KAFKA: "broker",
    AMPPILOT_STANDALONE: "sometimes",
    AMPPILOT_DB_ONLYATSTARTUP: "si",
    DEPENDENCIES: "db",
  });
  const variables = [
    "CONSUL",
    "AMPPILOT_CHECKPERIOD",
    "AMPPILOT_STARTUPCHECKPERIOD",
    "AMPPILOT_REGISTEREDPORT",
    "AMPPILOT_STOPATMATESTOP",
    "AMPPILOT_KAFKABUFFER",
    "AMPPILOT_KAFKABUFFERBYTES",
    "AMPPILOT_STOPTIMEOUT",
    "AMPPILOT_READYTIMEOUT",
    "AMPPILOT_DEREGISTERAFTER",
    "AMPPILOT_LOGLEVEL",
    "AMPPILOT_LOGFORMAT",
    "AMPPILOT_REGISTEREDIP",
    "AMPPILOT_LAUNCH_CMD",
    "AMPPILOT_READY_CMD",
    "KAFKA",
    "AMPPILOT_STANDALONE",
    "AMPPILOT_DB_ONLYATSTARTUP",
  ];
  for (const variable of variables) {
    const line = found.find((p) => p.startsWith(`${variable}=`));
    ok(line, `no problem names ${variable}: ${found.join(" | ")}`);
    match(line, /: (expected|cannot split)/);
  }
  ok(found.some((p) => /no mate name: SERVICE_NAME/.test(p)));
});

Deno.test("loadConfig() requires a command, and a name only when Consul is set", async () => {
  deepEqual(await problems({}), [
    'no launch command: set AMPPILOT_LAUNCH_CMD, the conffile key "Cmd", or give it after --',
  ]);
  match((await problems({ CONSUL: "c:8500", AMPPILOT_LAUNCH_CMD: "x" }))[0]!, /SERVICE_NAME/);
  equal((await load({ AMPPILOT_LAUNCH_CMD: "x" })).config.name, undefined);
});

Deno.test("loadConfig() lowers the startup period to the running period with a warning", async () => {
  const { config, warnings } = await load({
    AMPPILOT_LAUNCH_CMD: "x",
    AMPPILOT_STARTUPCHECKPERIOD: "20s",
    AMPPILOT_CHECKPERIOD: "5",
  });
  equal(config.startupCheckPeriodMs, 5000);
  ok(warnings.some((w) => /lowered to 5000 ms/.test(w)));
});

Deno.test("loadConfig() raises DeregisterAfter to Consul's 1m minimum with a warning", async () => {
  const { config, warnings } = await load({
    AMPPILOT_LAUNCH_CMD: "x",
    AMPPILOT_DEREGISTERAFTER: "10s",
  });
  equal(config.deregisterAfterMs, 60_000);
  ok(warnings.some((w) => /Consul's minimum of 1m/.test(w)));
});

Deno.test("loadConfig() points at the line and column of the seed's invalid sample", async () => {
  const text = await Deno.readTextFile(SEED_CONFFILE);
  const found = await problems(
    { AMPPILOT_CONFFILE: "/seed.json" },
    { readTextFile: files({ "/seed.json": text }) },
  );
  match(found[0]!, /^conffile \/seed\.json: invalid JSON at line 7, column 9: /);
});

Deno.test("loadConfig() loads the seed sample once its commas are fixed", async () => {
  const text = (await Deno.readTextFile(SEED_CONFFILE))
    .replace(`"RegisterPort" : "8080"`, `"RegisterPort" : "8080",`)
    .replace(`"NetInterface": "eth0"`, `"NetInterface": "eth0",`);
  const { config, sources } = await load(
    { AMPPILOT_CONFFILE: "/seed.json" },
    { readTextFile: files({ "/seed.json": text }) },
  );
  equal(config.consul?.baseUrl, "http://localhost:8500");
  equal(config.name, "test");
  deepEqual(config.cmd, ["./test.sh"]);
  deepEqual(config.cmdReady, ["./checkReady.sh"]);
  equal(config.registeredPort, 8080);
  equal(config.startupCheckPeriodMs, 1000);
  equal(config.checkPeriodMs, 5000);
  equal(config.stopAtMateStop, false);
  deepEqual(config.dependencies.map((d) => d.name), ["name1", "name2"]);
  deepEqual(config.kafka, { kind: "zookeeper", hosts: ["zookeeper:2181"], chroot: "/" });
  equal(sources.registeredPort?.origin, 'conffile /seed.json key "RegisterPort"');
});

Deno.test("loadConfig() names unknown conffile keys with the closest known one", async () => {
  const readTextFile = files({
    "/c.json": JSON.stringify({ Cmd: "x", CheckPeriode: 3, Dependancies: [], Zzz: 1 }),
  });
  const found = await problems({ AMPPILOT_CONFFILE: "/c.json" }, { readTextFile });
  ok(found.includes('conffile /c.json: unknown key "CheckPeriode"; did you mean "CheckPeriod"?'));
  ok(found.includes('conffile /c.json: unknown key "Dependancies"; did you mean "Dependencies"?'));
  ok(found.some((p) => p.startsWith('conffile /c.json: unknown key "Zzz"; see')));
});

Deno.test("loadConfig() reports conffile values with the key and the expected form", async () => {
  const readTextFile = files({
    "/c.json": JSON.stringify({ Cmd: "x", CheckPeriod: "often", Dependencies: "a b" }),
  });
  const found = await problems({ AMPPILOT_CONFFILE: "/c.json" }, { readTextFile });
  deepEqual(found, [
    'conffile /c.json key "CheckPeriod" = "often": expected a positive number of seconds (5, 0.5) ' +
    "or a duration (500ms, 2s, 1m), at most 1h",
  ]);
});

Deno.test("loadConfig() rejects a conffile that is not an object or sets a key twice", async () => {
  const arr = files({ "/a.json": "[1]" });
  deepEqual(
    await problems({ AMPPILOT_CONFFILE: "/a.json", AMPPILOT_LAUNCH_CMD: "x" }, {
      readTextFile: arr,
    }),
    [
      "conffile /a.json: expected a JSON object at the top level",
    ],
  );
  const twice = files({
    "/t.json": JSON.stringify({ Cmd: "x", ApplicationStop: true, StopAtMateStop: false }),
  });
  match(
    (await problems({ AMPPILOT_CONFFILE: "/t.json" }, { readTextFile: twice }))[0]!,
    /set the same setting/,
  );
});

Deno.test("loadConfig() warns, not fails, when the conffile does not exist", async () => {
  const { warnings } = await load(
    { AMPPILOT_CONFFILE: "/missing.json", AMPPILOT_LAUNCH_CMD: "x" },
    { readTextFile: files({}) },
  );
  ok(warnings.some((w) => /\/missing\.json: the file does not exist/.test(w)));
});

Deno.test("loadConfig() fails clearly on a conffile it cannot read", async () => {
  const readTextFile = () => Promise.reject(new Deno.errors.PermissionDenied("nope"));
  deepEqual(
    await problems({ AMPPILOT_CONFFILE: "/x.json", AMPPILOT_LAUNCH_CMD: "x" }, { readTextFile }),
    [
      "AMPPILOT_CONFFILE=/x.json: cannot read the file: permission denied",
    ],
  );
});

Deno.test("loadConfig() reads the token from the variable or the token file, never shows it", async () => {
  const direct = await load({ AMPPILOT_LAUNCH_CMD: "x", CONSUL_HTTP_TOKEN: "s3cret" });
  equal(direct.config.consulToken, "s3cret");
  const fromFile = await load(
    { AMPPILOT_LAUNCH_CMD: "x", CONSUL_HTTP_TOKEN_FILE: "/tok" },
    { readTextFile: files({ "/tok": "t0ken\n" }) },
  );
  equal(fromFile.config.consulToken, "t0ken");
  deepEqual(fromFile.sources.consulToken, { source: "env", origin: "CONSUL_HTTP_TOKEN_FILE" });
  const missing = await problems(
    { AMPPILOT_LAUNCH_CMD: "x", CONSUL_HTTP_TOKEN_FILE: "/nope" },
    { readTextFile: files({}) },
  );
  deepEqual(missing, [
    "CONSUL_HTTP_TOKEN_FILE=/nope: cannot read the token file: the file does not exist",
  ]);
  const all = await problems({ CONSUL: "https://u:pw@bad", CONSUL_HTTP_TOKEN: "s3cret" });
  ok(all.every((p) => !p.includes("s3cret") && !p.includes("pw")), all.join(" | "));
});

Deno.test("loadConfig() warns about per-dependency variables that name no dependency", async () => {
  const { warnings } = await load({
    AMPPILOT_LAUNCH_CMD: "x",
    DEPENDENCIES: "db",
    AMPPILOT_CACHE_ONLYATSTARTUP: "true",
  });
  ok(warnings.some((w) => /AMPPILOT_CACHE_ONLYATSTARTUP is set but names no dependency/.test(w)));
});

Deno.test("loadConfig() lets per-dependency variables override the conffile's flag", async () => {
  const readTextFile = files({
    "/c.json": JSON.stringify({ Cmd: "x", Dependencies: [{ Name: "db", OnlyAtStartup: true }] }),
  });
  const { config } = await load(
    { AMPPILOT_CONFFILE: "/c.json", AMPPILOT_DB_ONLYATSTARTUP: "false" },
    { readTextFile },
  );
  deepEqual(config.dependencies, [{ name: "db", onlyAtStartup: false }]);
});

Deno.test("loadConfig() turns Kafka off with none and keeps the instance id stable", async () => {
  const { config } = await load({ AMPPILOT_LAUNCH_CMD: "x", KAFKA: "None", SERVICE_NAME: "web" });
  equal(config.kafka, undefined);
  equal(config.serviceId, "web-abcd1234");
  const fixed = await load({ AMPPILOT_LAUNCH_CMD: "x", AMPPILOT_SERVICEID: "web-1" });
  equal(fixed.config.serviceId, "web-1");
});

Deno.test("loadConfig() rejects with ConfigError, whose message lists the problems", async () => {
  await rejects(
    load({}),
    (e: unknown) => e instanceof ConfigError && /no launch command/.test(e.message),
  );
});

Deno.test("loadConfig() takes the argv after -- as it is; an invalid command is one problem", async () => {
  const { config, sources } = await load({}, { args: ["app", "", "a b", "--x=1"] });
  deepEqual(config.cmd, ["app", "", "a b", "--x=1"]);
  deepEqual(sources.cmd, { source: "cli", origin: "arguments after --" });
  deepEqual(await problems({}, { args: ["", "app"] }), [
    'arguments after -- = ["","app"]: expected a non-empty command',
  ]);
  // An invalid command is one problem, not also "no launch command".
  deepEqual(await problems({ AMPPILOT_LAUNCH_CMD: "[]" }), [
    'AMPPILOT_LAUNCH_CMD="[]": expected a non-empty command',
  ]);
});

Deno.test("loadConfig() states the maximum of each duration and refuses a longer one", async () => {
  const base = { AMPPILOT_LAUNCH_CMD: "app" };
  deepEqual(await problems({ ...base, AMPPILOT_STOPTIMEOUT: "600h" }), [
    'AMPPILOT_STOPTIMEOUT="600h": expected a duration of at most 1h',
  ]);
  const found = await problems({
    ...base,
    AMPPILOT_READYTIMEOUT: "3601",
    AMPPILOT_STARTUPCHECKPERIOD: "61m",
    AMPPILOT_CHECKPERIOD: "1h1ms",
    AMPPILOT_DEREGISTERAFTER: "169h",
    AMPPILOT_STOPTIMEOUT: "9".repeat(400),
  });
  deepEqual(found.map((p) => p.replace(/=.*: /, ": ")), [
    "AMPPILOT_READYTIMEOUT: expected a duration of at most 1h",
    "AMPPILOT_STARTUPCHECKPERIOD: expected a duration of at most 1h",
    "AMPPILOT_CHECKPERIOD: expected a duration of at most 1h",
    "AMPPILOT_DEREGISTERAFTER: expected a duration of at most 168h",
    "AMPPILOT_STOPTIMEOUT: expected a duration of at most 1h",
  ]);
  const { config } = await load({
    ...base,
    AMPPILOT_STOPTIMEOUT: "1h",
    AMPPILOT_CHECKPERIOD: "1h",
  });
  equal(config.stopTimeoutMs, 3_600_000);
  match((await problems({ ...base, AMPPILOT_STOPTIMEOUT: "0.0001" }))[0]!, /at least 1ms/);
});

Deno.test("loadConfig() states the largest Kafka buffer and refuses a larger one", async () => {
  const base = { AMPPILOT_LAUNCH_CMD: "app" };
  const found = await problems({
    ...base,
    AMPPILOT_KAFKABUFFER: "9007199254740991",
    AMPPILOT_KAFKABUFFERBYTES: "9".repeat(400),
  });
  deepEqual(found.map((p) => p.replace(/=.*: /, ": ")), [
    "AMPPILOT_KAFKABUFFER: expected a positive integer of at most 10000000",
    "AMPPILOT_KAFKABUFFERBYTES: expected a size of at most 4 GiB",
  ]);
  deepEqual(await problems({ ...base, AMPPILOT_KAFKABUFFERBYTES: "4.1GiB" }), [
    'AMPPILOT_KAFKABUFFERBYTES="4.1GiB": expected a size of at most 4 GiB',
  ]);
  const { config } = await load({
    ...base,
    AMPPILOT_KAFKABUFFER: "10000000",
    AMPPILOT_KAFKABUFFERBYTES: "4GiB",
  });
  equal(config.kafkaBuffer, 10_000_000);
  equal(config.kafkaBufferBytes, 4 * 1024 ** 3);
});

Deno.test("loadConfig() refuses a token or password with a line break, a control character or over 4 KiB, never showing it", async () => {
  const secret = "Sup3rS3cret";
  const readTextFile = files({
    "/t/inside": `${secret}\nmore`,
    "/t/trailing": `${secret}\n`,
    "/t/crlf": `${secret}\r\n`,
    "/t/two": `${secret}\n\n`,
    "/t/control": `${secret}\u0007`,
    "/t/long": secret.repeat(400),
    "/t/bom": `\uFEFF${secret}\n`,
  });
  const kafka = {
    KAFKA: "k:9092",
    AMPPILOT_KAFKA_SASL_MECHANISM: "PLAIN",
    AMPPILOT_KAFKA_USERNAME: "u",
  };
  const cases: [Record<string, string>, RegExp][] = [
    [
      { CONSUL_HTTP_TOKEN_FILE: "/t/inside" },
      /^CONSUL_HTTP_TOKEN_FILE=\/t\/inside: it holds a line break/,
    ],
    [
      { CONSUL_HTTP_TOKEN_FILE: "/t/two" },
      /^CONSUL_HTTP_TOKEN_FILE=\/t\/two: it holds a line break/,
    ],
    [
      { CONSUL_HTTP_TOKEN_FILE: "/t/control" },
      /^CONSUL_HTTP_TOKEN_FILE=\/t\/control: it holds a control/,
    ],
    [
      { CONSUL_HTTP_TOKEN_FILE: "/t/long" },
      /^CONSUL_HTTP_TOKEN_FILE=\/t\/long: it is longer than 4 KiB/,
    ],
    [{ CONSUL_HTTP_TOKEN: `${secret}\nx` }, /^CONSUL_HTTP_TOKEN: it holds a line break/],
    [
      { CONSUL_HTTP_TOKEN: `${secret}\u001b[2J` },
      /^CONSUL_HTTP_TOKEN: it holds a control character/,
    ],
    [{ CONSUL_HTTP_TOKEN: `${secret}é` }, /^CONSUL_HTTP_TOKEN: it holds a character other than/],
    [{ CONSUL_HTTP_TOKEN: secret.repeat(400) }, /^CONSUL_HTTP_TOKEN: it is longer than 4 KiB/],
    [
      { ...kafka, AMPPILOT_KAFKA_PASSWORD_FILE: "/t/inside" },
      /^AMPPILOT_KAFKA_PASSWORD_FILE=\/t\/inside: it holds a line break/,
    ],
    [
      { ...kafka, AMPPILOT_KAFKA_PASSWORD: `${secret}\u0000` },
      /^AMPPILOT_KAFKA_PASSWORD: it holds a control character/,
    ],
  ];
  for (const [env, expected] of cases) {
    const found = await problems({ AMPPILOT_LAUNCH_CMD: "app", ...env }, { readTextFile });
    ok(found.some((p) => expected.test(p)), `${expected} in ${found.join("\n")}`);
    ok(found.every((p) => !p.includes(secret) && !p.includes("more")), found.join("\n"));
  }
  for (const path of ["/t/trailing", "/t/crlf", "/t/bom"]) {
    const { config } = await load(
      {
        AMPPILOT_LAUNCH_CMD: "app",
        CONSUL_HTTP_TOKEN_FILE: path,
        ...kafka,
        AMPPILOT_KAFKA_PASSWORD_FILE: path,
      },
      { readTextFile },
    );
    equal(config.consulToken, secret);
    equal(config.kafkaSecurity?.sasl?.password, secret);
  }
});

Deno.test("loadConfig() hides the password of a scheme-less address with credentials", async () => {
  const found = await problems({
    AMPPILOT_LAUNCH_CMD: "app",
    SERVICE_NAME: "web",
    CONSUL: "user:pw-Secret@consul:8500",
    KAFKA: "kafka:p@ss/word@k:9092",
  });
  ok(found.some((p) => p.startsWith('CONSUL="user:<redacted>@consul:8500": expected')), found[0]);
  ok(found.some((p) => p.startsWith('KAFKA="kafka:<redacted>@k:9092": expected')), found[1]);
  ok(found.every((p) => !p.includes("Secret") && !p.includes("ss/word")), found.join("\n"));
});

Deno.test("loadConfig() checks dependency and service names against Consul's rules", async () => {
  const base = { AMPPILOT_LAUNCH_CMD: "app", CONSUL: "c:8500", SERVICE_NAME: "web" };
  for (const name of [".", "..", "a/b", "../x", "db?x", "db#1", "db%2f", "db\u0007", "ü"]) {
    const deps = await problems({ ...base, DEPENDENCIES: `db, ${name}` });
    equal(deps.length, 1, deps.join("\n"));
    match(deps[0]!, /^DEPENDENCIES=.*: expected dependency names: .* is not a Consul service name/);
    const service = await problems({ ...base, SERVICE_NAME: name });
    match(service[0]!, /^SERVICE_NAME=.*: expected a Consul service name: letters, digits/);
  }
  match((await problems({ ...base, SERVICE_NAME: "my web" }))[0]!, /^SERVICE_NAME=/);
  match((await problems({ ...base, AMPPILOT_SERVICEID: "web/1" }))[0]!, /^AMPPILOT_SERVICEID=/);
  const readTextFile = files({
    "/c.json": JSON.stringify({ Dependencies: ["db", { Name: "a b" }] }),
  });
  match(
    (await problems({ ...base, AMPPILOT_CONFFILE: "/c.json" }, { readTextFile }))[0]!,
    /^conffile \/c.json key "Dependencies" = .*: expected dependency names: "a b" is not a Consul/,
  );
  const good = await load({
    ...base,
    DEPENDENCIES: "db.main, my_project_db, amp-log-worker",
    AMPPILOT_SERVICEID: "web:1@node",
  });
  deepEqual(good.config.dependencies.map((d) => d.name), [
    "db.main",
    "my_project_db",
    "amp-log-worker",
  ]);
  equal(good.config.serviceId, "web:1@node");
});

Deno.test("loadConfig() accepts a byte-order mark at the start of the conffile", async () => {
  const readTextFile = files({ "/bom.json": '\uFEFF{"Cmd": "app", "Name": "web"}' });
  const { config } = await load({ AMPPILOT_CONFFILE: "/bom.json" }, { readTextFile });
  equal(config.name, "web");
});
