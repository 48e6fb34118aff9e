import { deepEqual, equal, match, ok, throws } from "node:assert/strict";
import { BUNDLE, bundleProgram, checkBundleImports, satelliteName } from "../../scripts/bundle.ts";
import { tempDir } from "../support/pilot.ts";
import { denoRun } from "../support/deno_run.ts";
import { freePorts } from "../support/ports.ts";

const SEED_CONFFILE = new URL("../fixtures/seed_conffile_fixed.json", import.meta.url).pathname;

Deno.test("satelliteName() names the file beside the bundle after the module", () => {
  equal(satelliteName("/x/src/config/dependency_list.ts"), "amp-pilot.dependency_list.js");
});

Deno.test("checkBundleImports() refuses any import at start, and any later one it did not write", () => {
  const beside = ["/out/amp-pilot.dependency_list.js"];
  checkBundleImports('await import(String("./amp-pilot.dependency_list.js"));', beside);
  throws(
    () => checkBundleImports('import { isIP } from "node:net";\nmain();', beside),
    /imports node:net at start; expected every module inside the bundle/,
  );
  throws(
    () => checkBundleImports('import "./side_effect.js";', beside),
    /imports \.\/side_effect\.js at start/,
  );
  throws(
    () => checkBundleImports('const m = await import("./cli.ts");', beside),
    /imports import\("\.\/cli\.ts"\); at run time; expected only the files beside it/,
  );
  throws(
    () => checkBundleImports('await import(String("./run.ts"));', beside),
    /imports \.\/run\.ts at run time; expected only the files beside it \(\.\/amp-pilot\.dependency_list\.js\)/,
  );
  throws(() => checkBundleImports("await import(String(name));", beside), /at run time/);
});

Deno.test("the bundle carries the program; the modules with npm packages are files beside it", async (t) => {
  await using dir = await tempDir();
  const out = `${dir.path}/out`;
  const built = await bundleProgram(out);
  equal(built.main, `${out}/${BUNDLE}`);
  deepEqual(built.satellites.map((f) => f.slice(out.length + 1)).sort(), [
    "amp-pilot.dependency_list.js",
  ]);
  const text = await Deno.readTextFile(built.main);
  match(text, /^\/\/ amp-pilot \d+\.\d+\.\d+: the program, bundled from its sources/);
  // The bundler marks each module it carries with its path: none of an npm package.
  deepEqual(text.match(/^\/\/ .*registry\.npmjs\.org.*$/gm), null);
  // A file beside carries its own copy of the project's modules it imports: only these, which
  // hold no state that the main file would need to share.
  const carried = async (file: string) =>
    [...new Set((await Deno.readTextFile(file)).match(/^\/\/ src\/\S+$/gm))].sort();
  const [dependencyList] = built.satellites;
  deepEqual(await carried(dependencyList!), [
    "// src/config/bool_words.ts",
    "// src/config/dependency_list.ts",
    "// src/config/service_name.ts",
    "// src/config/shell_words.ts",
    "// src/config/values.ts",
  ]);
  // ZooKeeper discovery brings no npm package (a client of its own): the bundle carries it.
  match(text, /^\/\/ src\/logs\/zookeeper_discovery\.ts$/m);
  ok(/^\/\/ .*registry\.npmjs\.org\/zod\//m.test(await Deno.readTextFile(dependencyList!)));

  await t.step(
    "a conffile's list of dependency objects is read by the file beside it",
    async () => {
      const r = await denoRun(dir.path, built.main, ["check", "--", "true"], {
        AMPPILOT_CONFFILE: SEED_CONFFILE,
      });
      equal(r.code, 0, r.err);
      match(r.out, /dependencies \(Consul service names\)\s+name1, name2\s/);
    },
  );
  await t.step("without the file beside it: one line saying what is missing", async () => {
    await Deno.mkdir(`${dir.path}/alone`);
    await Deno.copyFile(built.main, `${dir.path}/alone/${BUNDLE}`);
    const r = await denoRun(dir.path, `${dir.path}/alone/${BUNDLE}`, ["check", "--", "true"], {
      AMPPILOT_CONFFILE: SEED_CONFFILE,
    });
    equal(r.code, 2, r.err);
    match(
      r.err,
      /key "Dependencies" = .*: amp-pilot cannot load the part that reads this list \(Module not found "file:\/\/\/.*\/alone\/amp-pilot\.dependency_list\.js"\.\); expected it to load: the release's amp-pilot\.js needs the files beside it in the same folder/,
    );
    equal(/\n\s+at /.test(r.err), false, r.err);
  });
  await t.step(
    "ZooKeeper discovery is in the bundle: nothing beside it is needed",
    async () => {
      const [port] = await freePorts(1);
      const r = await denoRun(dir.path, `${dir.path}/alone/${BUNDLE}`, ["--", "sleep", "0.5"], {
        KAFKA: `zk://127.0.0.1:${port}`,
      });
      equal(r.code, 0, r.err);
      match(
        r.err,
        /Kafka is unreachable \(ZooKeeper 127\.0\.0\.1:\d+ could not be reached \(127\.0\.0\.1:\d+: Connection refused/,
      );
      equal(/internal error|\n\s+at /.test(r.err), false, r.err);
    },
  );
});
