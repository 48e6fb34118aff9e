import { equal } from "node:assert/strict";
import { commandTypo } from "../../src/cli/command_typo.ts";

const nowhere = () => Promise.resolve(false);

Deno.test("commandTypo() suggests the command for a near word that is no program on PATH", async () => {
  equal(
    await commandTypo("chek", "/bin:/usr/bin", nowhere),
    'unknown command "chek", and no program of that name to run; did you mean amp-pilot check?',
  );
  equal(
    await commandTypo("helth", "/bin", nowhere),
    'unknown command "helth", and no program of that name to run; did you mean amp-pilot health?',
  );
});

Deno.test("commandTypo() lets a program run: one on PATH, a path, or a word near no command", async () => {
  const looked: string[] = [];
  const inUsrBin = (path: string) => {
    looked.push(path);
    return Promise.resolve(path === "/usr/bin/chek");
  };
  equal(await commandTypo("chek", "/bin:/usr/bin", inUsrBin), undefined);
  equal(looked.join(" "), "/bin/chek /usr/bin/chek");
  equal(await commandTypo("./chek", "/bin", nowhere), undefined);
  equal(await commandTypo("nginx", "/bin", nowhere), undefined);
});
