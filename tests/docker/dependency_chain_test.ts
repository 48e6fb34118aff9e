import { equal, ok } from "node:assert/strict";
import { startConsul } from "../support/consul.ts";
import { passingIds } from "../support/dependency.ts";
import { buildDevImage } from "../support/dev_image.ts";
import { docker, dockerSocket } from "../support/docker.ts";
import { eventually } from "../support/eventually.ts";
import { watchPassOrder } from "../support/pass_order.ts";

/** A mate that runs until SIGTERM, then exits with 3 (so that the code can be seen). */
const MATE = ["sh", "-c", 'trap "exit 3" TERM; while :; do sleep 0.1 & wait $!; done'];

Deno.test("db → api → web in containers, amp-pilot as each one's entrypoint", async (t) => {
  dockerSocket();
  await using consul = await startConsul();
  const image = await buildDevImage(
    ['HEALTHCHECK --interval=1s --timeout=5s --retries=1 CMD ["/bin/amp-pilot", "health"]'],
    "amp-pilot-dev:chain",
  );
  const prefix = `chain-${crypto.randomUUID().slice(0, 6)}`;
  const names: string[] = [];
  const start = async (service: string, deps: string) => {
    const name = `${prefix}-${service}`;
    names.push(name);
    await docker([
      "run",
      "-d",
      "--name",
      name,
      "--network",
      "host",
      "-e",
      `CONSUL=${consul.address}`,
      "-e",
      `SERVICE_NAME=${service}`,
      "-e",
      `DEPENDENCIES=${deps}`,
      "-e",
      "AMPPILOT_STANDALONE=true",
      "-e",
      "AMPPILOT_REGISTEREDIP=127.0.0.1",
      "-e",
      "AMPPILOT_STOPTIMEOUT=2s",
      image,
      "/bin/amp-pilot",
      "run",
      "--",
      ...MATE,
    ]);
    return name;
  };
  const passing = async (service: string) => (await passingIds(consul.address, service)).length > 0;
  try {
    await t.step("they start in dependency order", async () => {
      await using order = watchPassOrder(consul.address, ["db", "api", "web"]);
      await start("web", "api");
      await start("api", "db");
      await new Promise((r) => setTimeout(r, 1500));
      equal(await passing("web"), false, "web started before api");
      await start("db", "");
      await eventually(() => ok(order.seen() === 3), 30_000);
      order.assertInOrder();
    });

    await t.step("HEALTHCHECK with amp-pilot health turns healthy", async () => {
      await eventually(
        async () => {
          equal(
            await docker(["inspect", "-f", "{{.State.Health.Status}}", `${prefix}-api`]),
            "healthy",
          );
        },
        30_000,
        500,
      );
    });

    await t.step("docker stop db stops api and web; docker start db brings them back", async () => {
      await docker(["stop", `${prefix}-db`]);
      await eventually(async () => {
        equal(await passing("api"), false);
        equal(await passing("web"), false);
      }, 20_000);
      await docker(["start", `${prefix}-db`]);
      await eventually(async () => {
        ok(await passing("db") && await passing("api") && await passing("web"));
      }, 30_000);
    });

    await t.step(
      "docker stop web deregisters it and its exit code shows in docker inspect",
      async () => {
        await docker(["stop", `${prefix}-web`]);
        equal(await passing("web"), false);
        equal(await docker(["inspect", "-f", "{{.State.ExitCode}}", `${prefix}-web`]), "3");
      },
    );
  } finally {
    for (const name of names) await docker(["rm", "-f", name]).catch(() => {});
  }
});
