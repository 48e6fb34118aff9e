import { equal, ok } from "node:assert/strict";
import { passingIds } from "../support/dependency.ts";
import { buildDevImage } from "../support/dev_image.ts";
import { docker, dockerSocket } from "../support/docker.ts";
import { eventually } from "../support/eventually.ts";
import { watchPassOrder } from "../support/pass_order.ts";
import { tempDir } from "../support/pilot.ts";
import { freePorts } from "../support/ports.ts";

const COMPOSE_FILE = new URL("../../examples/compose.yaml", import.meta.url).pathname;

/**
 * What the test changes, in a second compose file merged over examples/compose.yaml: the engine
 * here has only host networking, so every service gets `network_mode: host`, Consul listens on
 * free loopback ports (other tests' agents share the host), and the pilots are told that address
 * and to register 127.0.0.1 (there is no eth0 of their own).
 */
function hostNetworkOverride(ports: number[]): string {
  const [http, serfLan, serfWan, server] = ports;
  const consul = [
    "agent -dev -client 127.0.0.1 -bind 127.0.0.1",
    `-http-port ${http} -serf-lan-port ${serfLan} -serf-wan-port ${serfWan}`,
    `-server-port ${server} -dns-port -1 -grpc-port -1 -grpc-tls-port -1`,
  ].join(" ");
  const pilot = [
    "    network_mode: host",
    "    environment:",
    `      CONSUL: "127.0.0.1:${http}"`,
    '      AMPPILOT_REGISTEREDIP: "127.0.0.1"',
  ];
  return [
    "services:",
    "  consul:",
    "    network_mode: host",
    `    command: ${consul}`,
    ...["db", "api", "web"].flatMap((s) => [`  ${s}:`, ...pilot]),
    "",
  ].join("\n");
}

async function compose(project: string, files: string[], args: string[]): Promise<string> {
  const out = await new Deno.Command("docker-compose", {
    args: ["-p", project, ...files.flatMap((f) => ["-f", f]), ...args],
    stdout: "piped",
    stderr: "piped",
  }).output().catch((e) => {
    throw new Error(
      `docker-compose cannot be run (${(e as Error).message}): install Debian's ` +
        "docker-compose (apt-get install docker-compose)",
    );
  });
  const d = new TextDecoder();
  if (!out.success) {
    throw new Error(`docker-compose ${args.join(" ")} failed: ${d.decode(out.stderr)}`);
  }
  return d.decode(out.stdout).trim();
}

Deno.test("examples/compose.yaml: db → api → web come up in order under amp-pilot, and follow db", async (t) => {
  dockerSocket();
  // The example's image is built from alpine.Dockerfile, which downloads a release that cannot
  // be compiled here: the development image (Deno running the source) takes its name and its
  // entrypoint, so compose uses it instead of building.
  await buildDevImage([
    'RUN ["/bin/busybox", "mkdir", "-p", "/usr/local/bin"]',
    'RUN ["/bin/busybox", "ln", "-s", "/bin/amp-pilot", "/usr/local/bin/amp-pilot"]',
    'HEALTHCHECK CMD ["/usr/local/bin/amp-pilot", "health"]',
    'ENTRYPOINT ["/usr/local/bin/amp-pilot", "run", "--"]',
  ], "amp-pilot-example");
  await using dir = await tempDir();
  const ports = await freePorts(4);
  const override = `${dir.path}/host-network.yaml`;
  await Deno.writeTextFile(override, hostNetworkOverride(ports));
  const files = [COMPOSE_FILE, override];
  const project = `ampex${crypto.randomUUID().slice(0, 6)}`;
  const consul = `127.0.0.1:${ports[0]}`;
  const passing = async (s: string) => (await passingIds(consul, s)).length > 0;
  try {
    await t.step("web and api wait for db, then all come up in order", async () => {
      await compose(project, files, ["up", "-d", "--no-build", "consul", "web", "api"]);
      await eventually(async () => {
        const r = await fetch(`http://${consul}/v1/status/leader`);
        ok((await r.json()).length > 0);
      }, 30_000);
      await using order = watchPassOrder(consul, ["db", "api", "web"]);
      await new Promise((r) => setTimeout(r, 2000));
      equal(order.seen(), 0, "api or web came up before db");
      await compose(project, files, ["up", "-d", "--no-build", "db"]);
      await eventually(() => ok(order.seen() === 3), 60_000);
      order.assertInOrder();
    });

    await t.step(
      "docker-compose stop db stops api and web; start db brings them back",
      async () => {
        await compose(project, files, ["stop", "db"]);
        await eventually(async () => {
          equal(await passing("db"), false);
          equal(await passing("api"), false);
          equal(await passing("web"), false);
        }, 30_000);
        await compose(project, files, ["start", "db"]);
        await eventually(async () => {
          ok(await passing("db") && await passing("api") && await passing("web"));
        }, 60_000);
      },
    );

    await t.step("the mates' output reaches docker-compose logs", async () => {
      const logs = await compose(project, files, ["logs", "--no-color", "web"]);
      ok(logs.includes("web is up"), logs);
    });
  } finally {
    await compose(project, files, ["down", "-t", "10"]).catch(() => {});
    await docker(["rmi", "-f", "amp-pilot-example"]).catch(() => {});
  }
});
