import { equal } from "node:assert/strict";
import { hiddenMessage, judgeAnswer } from "../../src/consul/acl_visibility.ts";

const answer = (passing: number, filteredByAcls?: boolean, aclDefaultPolicy?: string) => ({
  passing,
  filteredByAcls: filteredByAcls ?? false,
  aclDefaultPolicy,
});
const TOKEN = { sendsToken: true, blocking: false };
const TOKEN_BLOCKING = { sendsToken: true, blocking: true };
const NO_TOKEN = { sendsToken: false, blocking: false };
const NO_TOKEN_BLOCKING = { sendsToken: false, blocking: true };

Deno.test("judgeAnswer(): an instance the token sees is healthy, with no second look", () => {
  equal(judgeAnswer(answer(1), TOKEN_BLOCKING), "healthy");
  equal(judgeAnswer(answer(2, true, "deny"), TOKEN), "healthy");
  equal(judgeAnswer(answer(1, false, "deny"), NO_TOKEN_BLOCKING), "healthy");
});

Deno.test("judgeAnswer(): an empty answer Consul says it filtered is hidden, not unhealthy", () => {
  equal(judgeAnswer(answer(0, true, "deny"), TOKEN), "hidden");
  equal(judgeAnswer(answer(0, true, "allow"), NO_TOKEN), "hidden");
});

Deno.test("judgeAnswer(): an empty answer without a default-deny policy is unhealthy", () => {
  for (const asked of [TOKEN, TOKEN_BLOCKING, NO_TOKEN, NO_TOKEN_BLOCKING]) {
    equal(judgeAnswer(answer(0, false, "allow"), asked), "unhealthy");
    equal(judgeAnswer(answer(0, false, undefined), asked), "unhealthy");
  }
});

Deno.test("judgeAnswer(): empty under default deny, plain query with a token: unhealthy", () => {
  // Consul flags every filtered answer to a plain query that carries a token.
  equal(judgeAnswer(answer(0, false, "deny"), TOKEN), "unhealthy");
});

Deno.test("judgeAnswer(): empty under default deny to a blocking query: look again", () => {
  // Blocking answers come from Consul's streaming backend, which never flags.
  equal(judgeAnswer(answer(0, false, "deny"), TOKEN_BLOCKING), "recheck");
});

Deno.test("judgeAnswer(): empty under default deny without a token: ask about the rights", () => {
  equal(judgeAnswer(answer(0, false, "deny"), NO_TOKEN), "ask");
  equal(judgeAnswer(answer(0, false, "deny"), NO_TOKEN_BLOCKING), "ask");
});

Deno.test("hiddenMessage() names the dependency and the missing right", () => {
  equal(
    hiddenMessage("db", "service:read", true),
    "cannot see dependency db: the ACL token lacks service:read on db (Consul filtered the answer)",
  );
  equal(
    hiddenMessage("db", "node:read", true),
    "cannot see dependency db: the ACL token lacks node:read on the nodes of its instances " +
      "(Consul filtered the answer)",
  );
  equal(
    hiddenMessage("db", "service:read", false),
    "cannot see dependency db: no ACL token is set (CONSUL_HTTP_TOKEN), and the token Consul " +
      "uses instead lacks service:read on db (Consul filtered the answer)",
  );
  equal(
    hiddenMessage("db", "service:read or node:read", true),
    "cannot see dependency db: the ACL token lacks service:read on db or node:read on the nodes " +
      "of its instances (Consul filtered the answer)",
  );
});
