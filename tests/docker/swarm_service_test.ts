import { ok } from "node:assert/strict";
import { startConsul } from "../support/consul.ts";
import { passingIds } from "../support/dependency.ts";
import { buildDevImage } from "../support/dev_image.ts";
import { docker, dockerSocket } from "../support/docker.ts";
import { eventually } from "../support/eventually.ts";
import { tempDir } from "../support/pilot.ts";

const LOADER = new URL("../../distribution/pilotLoader", import.meta.url).pathname;

Deno.test("the seed's docker service create … /bin/amp-pilot/pilotLoader, no amp-pilot variable set", async () => {
  const socket = dockerSocket();
  // Loader mode's default Consul is consul:8500: the agent listens there, and the service's
  // containers resolve `consul` to the loopback they share with the host.
  await using consul = await startConsul({ httpPort: 8500 });
  const image = await buildDevImage(
    ['CMD ["/bin/sh", "-c", "trap \\"exit 0\\" TERM; while :; do sleep 0.1 & wait $!; done"]'],
    "amp-pilot-dev:swarm",
    false,
  );
  await using folder = await tempDir();
  // The host folder: pilotLoader and the binaries. The amd64 one is the development stand-in
  // (the Deno runtime and the source in the image), behind the release's file name.
  await Deno.copyFile(LOADER, `${folder.path}/pilotLoader`);
  await Deno.writeTextFile(
    `${folder.path}/amp-pilot.amd64`,
    "#!/bin/sh\n# development stand-in for the compiled binary\n" +
      'exec /usr/local/bin/deno run --allow-all --frozen /opt/amp-pilot/main.ts "$@"\n',
  );
  for (const f of ["pilotLoader", "amp-pilot.amd64"]) {
    await Deno.chmod(`${folder.path}/${f}`, 0o755);
  }

  const service = `shop${crypto.randomUUID().slice(0, 6)}`;
  await docker(["swarm", "init", "--advertise-addr", "127.0.0.1"]);
  try {
    await docker([
      "service",
      "create",
      "--detach",
      "--name",
      service,
      "--network",
      "host",
      "--host",
      "consul:127.0.0.1",
      "--host",
      "zookeeper:127.0.0.1",
      "--mount",
      `type=bind,source=${folder.path},target=/bin/amp-pilot`,
      "--mount",
      `type=bind,source=${socket},target=/var/run/docker.sock`,
      image,
      "/bin/amp-pilot/pilotLoader",
    ]);
    await eventually(
      async () => {
        ok(
          (await passingIds(consul.address, service)).length === 1,
          `${service} not registered yet`,
        );
      },
      90_000,
      500,
    );
  } finally {
    await docker(["service", "rm", service]).catch(() => {});
    await docker(["swarm", "leave", "--force"]).catch(() => {});
  }
});
