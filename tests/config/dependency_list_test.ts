import { deepEqual, equal, match } from "node:assert/strict";
import { parseDependencyList } from "../../src/config/dependency_list.ts";

function expected(raw: unknown): string {
  const r = parseDependencyList(raw);
  if (r.ok) throw new Error(`expected ${JSON.stringify(raw)} to fail`);
  return r.expected;
}

Deno.test("parseDependencyList() reads names and {Name, OnlyAtStartup} objects, keys in any case", () => {
  deepEqual(parseDependencyList([{ Name: "db", OnlyAtStartup: true }, " api "]), {
    ok: true,
    value: [{ name: "db", onlyAtStartup: true }, { name: "api", onlyAtStartup: false }],
  });
  deepEqual(parseDependencyList([{ name: "db", onlyatstartup: "yes" }, { NAME: "q" }]), {
    ok: true,
    value: [{ name: "db", onlyAtStartup: true }, { name: "q", onlyAtStartup: false }],
  });
  deepEqual(parseDependencyList([]), { ok: true, value: [] });
});

Deno.test("parseDependencyList() drops duplicates, the first one wins", () => {
  deepEqual(parseDependencyList([{ Name: "db", OnlyAtStartup: true }, "db", "api"]), {
    ok: true,
    value: [{ name: "db", onlyAtStartup: true }, { name: "api", onlyAtStartup: false }],
  });
});

Deno.test("parseDependencyList() names the first bad entry and the expected form", () => {
  const cases: [unknown, number][] = [
    [[{ Name: "" }], 1],
    [["db", { Nom: "db" }], 2],
    [["db", "api", { Name: "x", OnlyAtStartup: "maybe" }], 3],
    [["db", 7], 2],
    [[{ Name: "db", OnlyAtStartup: true, Port: 80 }], 1],
    [[""], 1],
  ];
  for (const [raw, entry] of cases) {
    const message = expected(raw);
    match(message, /^expected names separated by commas or blanks, or an array of \{"Name"/);
    equal(
      message.endsWith(`(entry ${entry} is not one)`),
      true,
      `${JSON.stringify(raw)}: ${message}`,
    );
  }
  match(expected({ Name: "db" }), /^expected names separated by commas/);
});
