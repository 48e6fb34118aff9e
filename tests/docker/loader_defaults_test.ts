import { deepEqual, equal } from "node:assert/strict";
import {
  exposedPort,
  healthcheckCommand,
  launchCommand,
  loaderDefaults,
} from "../../src/docker/loader_defaults.ts";
import {
  containerIdCandidates,
  idFromCgroup,
  idFromMountinfo,
} from "../../src/docker/own_container.ts";

const ID = "3f1c2a9d8e7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d";

Deno.test("idFromCgroup() reads cgroup v1 and systemd scope lines", () => {
  equal(idFromCgroup(`12:pids:/docker/${ID}\n11:memory:/docker/${ID}`), ID);
  const outer = "a".repeat(64);
  equal(idFromCgroup(`12:pids:/docker/${outer}/docker/${ID}`), ID, "Docker in Docker: the inner");
  equal(idFromCgroup(`0::/system.slice/docker-${ID}.scope`), ID);
  equal(idFromCgroup("0::/"), undefined);
});

Deno.test("idFromMountinfo() reads the container's own files under /docker/containers", () => {
  const line =
    `612 590 254:1 /var/lib/docker/containers/${ID}/hostname /etc/hostname rw - ext4 /dev/vda1 rw`;
  equal(idFromMountinfo(line), ID);
  equal(idFromMountinfo("1 2 3:4 / / rw - overlay overlay rw"), undefined);
});

Deno.test("containerIdCandidates() prefers /proc, then a hostname that looks like an id", () => {
  deepEqual(containerIdCandidates("3f1c2a9d8e7b", `1:name=x:/docker/${ID}`, undefined), [ID]);
  deepEqual(containerIdCandidates("3f1c2a9d8e7b", undefined, undefined), ["3f1c2a9d8e7b"]);
  deepEqual(containerIdCandidates("my-laptop", "0::/", "nothing"), []);
  deepEqual(containerIdCandidates(`host-${ID}`, undefined, undefined), [], "an id inside a name");
  deepEqual(containerIdCandidates("abcdefabcdef", `0::/docker-${ID}.scope`, undefined), [
    ID,
    "abcdefabcdef",
  ]);
});

Deno.test("healthcheckCommand() turns HEALTHCHECK tests into argvs", () => {
  deepEqual(healthcheckCommand(["CMD", "/bin/check", "--quick"]), ["/bin/check", "--quick"]);
  deepEqual(healthcheckCommand(["CMD-SHELL", "curl -f localhost || exit 1"]), [
    "/bin/sh",
    "-c",
    "curl -f localhost || exit 1",
  ]);
  equal(healthcheckCommand(["NONE"]), undefined);
  equal(healthcheckCommand([]), undefined);
  equal(healthcheckCommand(undefined), undefined);
});

Deno.test("exposedPort() takes the lowest exposed TCP port", () => {
  equal(exposedPort({ "9090/tcp": {}, "8080/tcp": {}, "53/udp": {} }), 8080);
  equal(exposedPort({ "53/udp": {} }), undefined);
  equal(exposedPort(null), undefined);
  equal(exposedPort({ "0/tcp": {}, "70000/tcp": {} }), undefined, "no port number");
});

Deno.test("launchCommand() is Entrypoint + Cmd, with the loader's arguments replacing Cmd", () => {
  const image = { Config: { Entrypoint: ["/app"], Cmd: ["--port", "8080"] } };
  deepEqual(launchCommand(image, []), ["/app", "--port", "8080"]);
  deepEqual(launchCommand(image, ["--debug"]), ["/app", "--debug"]);
  deepEqual(launchCommand({ Config: { Cmd: ["nginx", "-g", "daemon off;"] } }, []), [
    "nginx",
    "-g",
    "daemon off;",
  ]);
  equal(launchCommand({ Config: {} }, []), undefined);
});

Deno.test("loaderDefaults() fills the SPEC defaults from the container and its image", () => {
  const defaults = loaderDefaults(
    {
      Id: ID,
      Image: "sha256:abc",
      Config: {
        Labels: { "com.docker.swarm.service.name": "shop", "com.docker.swarm.node.id": "n1" },
        ExposedPorts: { "8080/tcp": {} },
      },
    },
    {
      Config: {
        Entrypoint: null,
        Cmd: ["/srv/shop"],
        Healthcheck: { Test: ["CMD", "/srv/ready"] },
      },
    },
    [],
  );
  deepEqual(defaults.values, {
    consul: "consul:8500",
    kafka: "zookeeper:2181",
    name: "shop",
    cmd: ["/srv/shop"],
    registeredPort: 8080,
    cmdReady: ["/srv/ready"],
  });
  equal(defaults.containerId, ID);
  equal(defaults.nodeId, "n1");
});

Deno.test("healthcheckCommand() never takes amp-pilot's own health for the ready command", () => {
  equal(healthcheckCommand(["CMD", "/bin/amp-pilot", "health"]), undefined);
  equal(healthcheckCommand(["CMD", "amp-pilot", "health"]), undefined);
  equal(healthcheckCommand(["CMD", "/usr/local/bin/amp-pilot-linux-x64", "health"]), undefined);
  equal(healthcheckCommand(["CMD-SHELL", "/bin/amp-pilot health || exit 1"]), undefined);
  equal(healthcheckCommand(["CMD-SHELL", "amp-pilot health"]), undefined);
  // other programs, and amp-pilot's other commands, still count
  deepEqual(healthcheckCommand(["CMD", "/bin/amp-pilot", "version"]), [
    "/bin/amp-pilot",
    "version",
  ]);
  deepEqual(healthcheckCommand(["CMD", "/srv/health"]), ["/srv/health"]);
  deepEqual(healthcheckCommand(["CMD-SHELL", "curl -f localhost/health"]), [
    "/bin/sh",
    "-c",
    "curl -f localhost/health",
  ]);
});
