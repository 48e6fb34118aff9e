import { deepEqual } from "node:assert/strict";
import { LineSplitter } from "../../src/logs/line_splitter.ts";

function split(chunks: string[], max = 1000): [string, number, boolean][] {
  const out: [string, number, boolean][] = [];
  const s = new LineSplitter(
    (source, start, end, part, last) =>
      out.push([new TextDecoder().decode(source.subarray(start, end)), part, last]),
    max,
  );
  for (const c of chunks) s.push(new TextEncoder().encode(c));
  s.flush();
  return out;
}

Deno.test("LineSplitter splits on newlines across chunks and keeps a final line", () => {
  deepEqual(split(["a\nb", "c\n\nd"]), [["a", 0, true], ["bc", 0, true], ["", 0, true], [
    "d",
    0,
    true,
  ]]);
  deepEqual(split(["x\n"]), [["x", 0, true]]);
  deepEqual(split([]), []);
});

Deno.test("LineSplitter cuts a line longer than the limit into numbered parts", () => {
  deepEqual(split(["abcdefgh\n"], 3), [["abc", 0, false], ["def", 1, false], ["gh", 2, true]]);
  deepEqual(split(["abcd", "efgh", "ij\nk"], 4), [
    ["abcd", 0, false],
    ["efgh", 1, false],
    ["ij", 2, true],
    ["k", 0, true],
  ]);
});
