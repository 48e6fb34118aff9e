import { deepEqual, equal, match } from "node:assert/strict";
import { discover } from "../../src/docker/discover.ts";
import { copyTree } from "../support/copy_tree.ts";
import { buildImage, docker, dockerSocket } from "../support/docker.ts";
import { tempDir } from "../support/pilot.ts";

const IMAGE = "amp-pilot-test/loader-target:1";

Deno.test("discover() against a real Docker engine", async (t) => {
  const socket = dockerSocket();
  await using dir = await tempDir();
  await Deno.writeTextFile(`${dir.path}/app`, "#!/bin/sh\n");
  await buildImage(
    IMAGE,
    [
      "FROM scratch",
      "COPY app /app",
      'LABEL org.example.team="shop"',
      "EXPOSE 9090 8080",
      'HEALTHCHECK CMD ["/app", "--ready"]',
      'ENTRYPOINT ["/app"]',
      'CMD ["--port", "8080"]',
    ].join("\n"),
    dir.path,
  );
  const id = await docker([
    "create",
    "--label",
    "com.docker.swarm.service.name=shop",
    "--label",
    "com.docker.swarm.node.id=node-7",
    IMAGE,
  ]);
  try {
    await t.step("fills the defaults from the container and its image", async () => {
      const found = await discover({}, [], socket, [id]);
      deepEqual(found.warnings, []);
      deepEqual(found.defaults?.values, {
        consul: "consul:8500",
        kafka: "zookeeper:2181",
        name: "shop",
        cmd: ["/app", "--port", "8080"],
        registeredPort: 8080,
        cmdReady: ["/app", "--ready"],
      });
      equal(found.defaults?.containerId, id);
      equal(found.defaults?.nodeId, "node-7");
    });

    await t.step("the loader's arguments replace the image's Cmd", async () => {
      const found = await discover({}, ["--debug", "x y"], socket, [id]);
      deepEqual(found.defaults?.values.cmd, ["/app", "--debug", "x y"]);
    });

    await t.step("tries the next candidate when one is not a container", async () => {
      const found = await discover({}, [], socket, ["0123456789ab", id]);
      equal(found.defaults?.containerId, id);
    });

    await t.step("no such container: one warning, the environment only", async () => {
      const found = await discover({}, [], socket, ["0123456789ab"]);
      equal(found.defaults, undefined);
      equal(found.warnings.length, 1);
      match(
        found.warnings[0]!,
        /^Docker discovery: GET \/containers\/0123456789ab\/json on .*: HTTP 404: No such container: 0123456789ab; using the environment only$/,
      );
    });
  } finally {
    await docker(["rm", "-f", id]);
  }
});

Deno.test("discover() explains a missing socket, an unknown container, a hanging engine", async () => {
  const missing = await discover({}, [], "/nonexistent/docker.sock", ["0123456789ab"]);
  match(missing.warnings[0]!, /the socket does not exist; using the environment only$/);

  const none = await discover({ HOSTNAME: "laptop" }, [], "/nonexistent/docker.sock", []);
  match(
    none.warnings[0]!,
    /cannot tell which container this is \(HOSTNAME=laptop is not a container id/,
  );

  await using dir = await tempDir();
  const path = `${dir.path}/hang.sock`;
  const listener = Deno.listen({ transport: "unix", path });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) held.push(conn); // accept, never answer
  })();
  try {
    const started = performance.now();
    const hung = await discover({}, [], path, ["0123456789ab"]);
    match(hung.warnings[0]!, /no answer within 3000 ms; using the environment only$/);
    equal(performance.now() - started < 6000, true);
  } finally {
    listener.close();
    await accepting.catch(() => {});
    for (const conn of held) conn.close();
  }
});

Deno.test("discover() stops reading an engine's answer without end at 8 MiB", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/endless.sock`;
  const chunk = new Uint8Array(1024 * 1024).fill(0x20);
  const server = Deno.serve(
    { transport: "unix", path, onListen: () => {} },
    () =>
      new Response(
        new ReadableStream<Uint8Array>({ pull: (controller) => controller.enqueue(chunk) }),
        { headers: { "Content-Type": "application/json" } },
      ),
  );
  try {
    const found = await discover({}, [], path, ["0123456789ab"]);
    match(
      found.warnings[0]!,
      /GET \/containers\/0123456789ab\/json on .*endless\.sock: the answer is larger than 8 MiB; using the environment only$/,
    );
  } finally {
    await server.shutdown();
  }
});

Deno.test("discover() explains a socket it may not use (permission denied)", async () => {
  await using dir = await tempDir();
  await Deno.chmod(dir.path, 0o755);
  const path = `${dir.path}/docker.sock`;
  const listener = Deno.listen({ transport: "unix", path });
  await Deno.chmod(path, 0o600); // root's socket; the pilot below runs as nobody
  const deno = `${dir.path}/deno`;
  await Deno.copyFile(Deno.execPath(), deno);
  await Deno.chmod(deno, 0o755);
  const script = `${dir.path}/probe.ts`;
  // src/ copied where uid 65534 can read it, wherever the checkout is (under /root, say)
  const source = new URL("../../src", import.meta.url).pathname;
  await copyTree(source, `${dir.path}/src`);
  const discoverModule = `file://${dir.path}/src/docker/discover.ts`;
  await Deno.writeTextFile(
    script,
    `import { discover } from "${discoverModule}";\n` +
      `const found = await discover({}, [], "${path}", ["0123456789ab"]);\n` +
      `console.log(found.warnings.join("\\n"));\n`,
  );
  try {
    const out = await new Deno.Command("/usr/bin/setpriv", {
      args: [
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        deno,
        "run",
        "--allow-all",
        "--no-lock",
        script,
      ],
      env: { DENO_DIR: `${dir.path}/deno-dir`, HOME: dir.path },
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    match(
      text,
      /^Docker discovery: GET \/containers\/0123456789ab\/json on .*docker\.sock: permission denied; using the environment only$/m,
      new TextDecoder().decode(out.stderr),
    );
  } finally {
    listener.close();
  }
});

/** An engine of the test's own on a unix socket: `answers` maps a request path to its JSON. */
function fakeEngine(dir: string, answers: Record<string, unknown>) {
  const path = `${dir}/fake.sock`;
  const server = Deno.serve({ transport: "unix", path, onListen: () => {} }, (req) => {
    const key = decodeURIComponent(new URL(req.url).pathname);
    return key in answers
      ? Response.json(answers[key])
      : Response.json({ message: `No such thing: ${key}` }, { status: 404 });
  });
  return { path, [Symbol.asyncDispose]: () => server.shutdown() };
}

const CONTAINER_PATH = "/containers/0123456789ab/json";
const IMAGE_PATH = "/images/sha256:abc/json";

Deno.test("discover() gives up on a container answer of the wrong shape in one line, never a TypeError", async () => {
  for (
    const [answer, expected] of [
      [
        null,
        /container 0123456789ab: the container's answer is null, expected an object; using the environment only$/,
      ],
      [[], /the container's answer is a list, expected an object/],
      [
        { Id: "x" },
        /the container's Image is missing, expected an image id; using the environment only$/,
      ],
    ] as const
  ) {
    await using dir = await tempDir();
    await using engine = fakeEngine(dir.path, { [CONTAINER_PATH]: answer });
    const found = await discover({}, [], engine.path, ["0123456789ab"]);
    equal(found.defaults, undefined);
    equal(found.warnings.length, 1, found.warnings.join("\n"));
    match(found.warnings[0]!, /^Docker discovery: /);
    match(found.warnings[0]!, expected);
  }
});

Deno.test("discover() leaves out fields of the wrong type, one warning each, and keeps the rest", async () => {
  await using dir = await tempDir();
  await using engine = fakeEngine(dir.path, {
    [CONTAINER_PATH]: {
      Id: 5,
      Image: "sha256:abc",
      Config: {
        Labels: { "com.docker.swarm.service.name": "shop", "com.docker.swarm.node.id": 7 },
        Healthcheck: { Test: { a: 1 } },
        ExposedPorts: ["8080/tcp"],
      },
    },
    [IMAGE_PATH]: {
      Config: {
        Entrypoint: "/bin/sh",
        Cmd: ["/srv/shop", 5],
        ExposedPorts: { "0/tcp": {}, "99999/tcp": {}, "9090/tcp": {} },
        Healthcheck: { Test: ["CMD", "/srv/ready"] },
      },
    },
  });
  const found = await discover({}, [], engine.path, ["0123456789ab"]);
  deepEqual(found.warnings, [
    "Docker discovery: the container's Id is a number, expected a string; left out",
    "Docker discovery: the container's Config.Labels has values that are not strings; those are left out",
    "Docker discovery: the container's Config.Healthcheck.Test is an object, expected a list of strings; left out",
    "Docker discovery: the container's Config.ExposedPorts is a list, expected an object; left out",
    "Docker discovery: the image's Config.Entrypoint is a string, expected a list of strings; left out",
    "Docker discovery: the image's Config.Cmd is a list holding a number, expected a list of strings; left out",
  ]);
  deepEqual(found.defaults?.values, {
    consul: "consul:8500",
    kafka: "zookeeper:2181",
    name: "shop",
    registeredPort: 9090,
    cmdReady: ["/srv/ready"],
  });
  equal(found.defaults?.containerId, "");
  equal(found.defaults?.nodeId, "");
});

Deno.test("discover() says when the image is missing, not that the container is unknown", async () => {
  await using dir = await tempDir();
  await using engine = fakeEngine(dir.path, {
    "/containers/0123456789ab/json": { Id: "0123456789ab", Image: "sha256:gone" },
  });
  const found = await discover({}, [], engine.path, ["0123456789ab", "ba9876543210"]);
  equal(found.warnings.length, 1);
  match(
    found.warnings[0]!,
    /^Docker discovery: GET \/images\/sha256%3Agone\/json on .*: HTTP 404: No such thing: \/images\/sha256:gone\/json; using the environment only$/,
  );
});
