import { equal, ok } from "node:assert/strict";
import { renderGraph } from "../../src/cli/graph_render.ts";

const EVIL = "a\u001b[31mRED";
const FORGED = 'x\n  "evil" -> "pwn";\n  //y';

Deno.test("renderGraph() writes no control character Consul gave it, in any format", () => {
  const services = [
    {
      name: EVIL,
      passing: 1,
      instances: 1,
      dependencies: [{ name: FORGED, onlyAtStartup: false }],
    },
    { name: FORGED, passing: 0, instances: 0, dependencies: undefined },
  ];
  const cycles = [[EVIL, FORGED, EVIL]];
  for (const format of ["text", "dot", "mermaid"] as const) {
    const out = renderGraph(services, cycles, format);
    ok(!out.includes("\u001b"), `${format}: an escape code`);
    ok(!out.includes('\n  "evil" -> "pwn";'), `${format}: a forged line`);
    equal(out.endsWith("\n"), true);
  }
  const text = renderGraph(services, cycles, "text");
  equal(
    text,
    '"a\\u001b[31mRED" (healthy, 1/1 passing) → "x\\n  \\"evil\\" -> \\"pwn\\";\\n  //y"\n' +
      '"x\\n  \\"evil\\" -> \\"pwn\\";\\n  //y" (not registered)\n' +
      'cycle: "a\\u001b[31mRED" → "x\\n  \\"evil\\" -> \\"pwn\\";\\n  //y" → "a\\u001b[31mRED"\n',
  );
  // Plain names stay as they are.
  equal(
    renderGraph([{ name: "web", passing: 1, instances: 2, dependencies: [] }], [], "text"),
    "web (healthy, 1/2 passing)\n",
  );
});
