import { deepEqual, equal, match, ok } from "node:assert/strict";
import { startConsul } from "../support/consul.ts";
import { passingIds } from "../support/dependency.ts";
import { buildDevImage, runInContainer } from "../support/dev_image.ts";
import { docker, dockerSocket } from "../support/docker.ts";
import { tempDir } from "../support/pilot.ts";

Deno.test("loader mode from inside a real container", async (t) => {
  const socket = dockerSocket();
  // The image's own command is what the loader must find and run as the mate.
  const image = await buildDevImage([
    "EXPOSE 8080",
    'HEALTHCHECK CMD ["/bin/test", "-d", "/tmp"]',
    'CMD ["/bin/sh", "-c", "echo mate sees CONSUL=[$CONSUL]; sleep 8"]',
  ]);

  await t.step("check: the defaults come from the container and its image", async () => {
    const r = await runInContainer(image, socket, ["/bin/amp-pilot", "check", "--json"], {
      labels: { "com.docker.swarm.service.name": "web" },
    });
    equal(r.code, 0, r.err);
    const report = JSON.parse(r.out);
    deepEqual(report.name, {
      value: "web",
      source: { source: "loader", origin: "Docker discovery (name)" },
    });
    deepEqual(report.cmd.value, ["/bin/sh", "-c", "echo mate sees CONSUL=[$CONSUL]; sleep 8"]);
    equal(report.cmd.source.source, "loader");
    equal(report.registeredPort.value, 8080);
    deepEqual(report.cmdReady.value, ["/bin/test", "-d", "/tmp"]);
    equal(report.consul.value.baseUrl, "http://consul:8500");
    deepEqual(report.kafka.value, { kind: "zookeeper", hosts: ["zookeeper:2181"], chroot: "/" });
  });

  await t.step("explicit environment wins over discovery", async () => {
    const r = await runInContainer(image, socket, ["/bin/amp-pilot", "check", "--json"], {
      labels: { "com.docker.swarm.service.name": "web" },
      env: { SERVICE_NAME: "override", KAFKA: "none" },
    });
    equal(r.code, 0, r.err);
    const report = JSON.parse(r.out);
    equal(report.name.value, "override");
    equal(report.name.source.source, "env");
    equal(report.kafka.value, null);
  });

  await t.step("AMPPILOT_STANDALONE skips discovery", async () => {
    const r = await runInContainer(image, socket, ["/bin/amp-pilot", "check", "--json"], {
      env: { AMPPILOT_STANDALONE: "true", AMPPILOT_LAUNCH_CMD: "true" },
    });
    equal(r.code, 0, r.err);
    equal(JSON.parse(r.out).consul.value, null);
  });

  await t.step("run: registers under the swarm service name; the mate has no CONSUL", async () => {
    await using consul = await startConsul();
    const running = runInContainer(image, socket, ["/bin/amp-pilot"], {
      labels: { "com.docker.swarm.service.name": "web" },
      env: {
        CONSUL: consul.address,
        KAFKA: "none",
        AMPPILOT_STARTUPCHECKPERIOD: "0.2",
        AMPPILOT_STOPATMATESTOP: "true",
      },
    });
    // The mate runs 8 s: the instance is registered from its readiness until its exit.
    let exited = false;
    const over = () => (exited = true);
    running.then(over, over);
    let registered = false;
    for (let i = 0; i < 600 && !registered && !exited; i++) {
      registered = (await passingIds(consul.address, "web")).length > 0;
      if (!registered) await new Promise((r) => setTimeout(r, 100));
    }
    const r = await running;
    ok(registered, `never registered as web: ${r.err}`);
    match(r.out, /^mate sees CONSUL=\[\]$/m);
    equal(r.code, 0, r.err);
  });

  await t.step("SIGTERM during discovery with a hung engine exits 0 at once", async () => {
    // An engine that accepts and never answers (the pilot's deadline is 3 s a call).
    await using dir = await tempDir();
    const hung = `${dir.path}/hung.sock`;
    const listener = Deno.listen({ transport: "unix", path: hung });
    await Deno.chmod(hung, 0o666);
    const held: Deno.Conn[] = [];
    let accepted!: () => void;
    const asked = new Promise<void>((resolve) => (accepted = resolve));
    const accepting = (async () => {
      for await (const conn of listener) {
        held.push(conn);
        accepted();
      }
    })();
    const name = `amp-pilot-hung-engine-${Deno.pid}`;
    const running = runInContainer(image, hung, ["/bin/amp-pilot"], {
      name,
      env: { AMPPILOT_LAUNCH_CMD: "/bin/echo the mate ran", KAFKA: "none" },
    });
    try {
      await asked;
      await docker(["kill", "--signal", "TERM", name]);
      const r = await running;
      equal(r.code, 0, r.err);
      match(r.err, /received SIGTERM during Docker discovery, before the mate started; exiting/);
      ok(!r.err.includes("no answer within"), `it waited for the engine's deadline: ${r.err}`);
      ok(!r.out.includes("the mate ran"), r.out);
    } finally {
      await docker(["rm", "-f", name]).catch(() => {});
      listener.close();
      await accepting.catch(() => {});
      for (const conn of held) conn.close();
    }
  });
});
