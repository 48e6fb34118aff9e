import { equal } from "node:assert/strict";
import { nextBlockingIndex, parseIndexHeader } from "../../src/consul/blocking_index.ts";

Deno.test("nextBlockingIndex() follows an index that moves forward or stays", () => {
  equal(nextBlockingIndex(0, 12), 12);
  equal(nextBlockingIndex(12, 12), 12);
  equal(nextBlockingIndex(12, 40), 40);
});

Deno.test("nextBlockingIndex() resets when the index goes backwards", () => {
  equal(nextBlockingIndex(40, 12), 0);
});

Deno.test("nextBlockingIndex() never keeps 0 or a non-integer from Consul", () => {
  equal(nextBlockingIndex(0, 0), 1);
  equal(nextBlockingIndex(5, 0), 1);
  equal(nextBlockingIndex(5, -3), 1);
  equal(nextBlockingIndex(5, NaN), 1);
});

Deno.test("parseIndexHeader() accepts non-negative integers only", () => {
  equal(parseIndexHeader("42"), 42);
  equal(parseIndexHeader(" 7 "), 7);
  equal(parseIndexHeader(null), undefined);
  equal(parseIndexHeader("abc"), undefined);
  equal(parseIndexHeader("-1"), undefined);
  equal(parseIndexHeader("99999999999999999999"), undefined);
});
