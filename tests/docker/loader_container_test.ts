import { deepEqual, equal, match, ok } from "node:assert/strict";
import { startConsul } from "../support/consul.ts";
import { passingIds } from "../support/dependency.ts";
import { buildDevImage, runInContainer } from "../support/dev_image.ts";
import { dockerSocket } from "../support/docker.ts";

Deno.test("loader mode from inside a real container", async (t) => {
  const socket = dockerSocket();
  // The image's own command is what the loader must find and run as the mate.
  const image = await buildDevImage([
    "EXPOSE 8080",
    'HEALTHCHECK CMD ["/bin/test", "-d", "/tmp"]',
    'CMD ["/bin/sh", "-c", "echo mate sees CONSUL=[$CONSUL]; sleep 2"]',
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
    deepEqual(report.cmd.value, ["/bin/sh", "-c", "echo mate sees CONSUL=[$CONSUL]; sleep 2"]);
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
    let registered = false;
    for (let i = 0; i < 100 && !registered; i++) {
      registered = (await passingIds(consul.address, "web")).length > 0;
      if (!registered) await new Promise((r) => setTimeout(r, 100));
    }
    const r = await running;
    ok(registered, `never registered as web: ${r.err}`);
    match(r.out, /^mate sees CONSUL=\[\]$/m);
    equal(r.code, 0, r.err);
  });
});
