/**
 * Whether an empty list of passing instances means "no passing instance" or "the ACL token may
 * not see them" (SPEC: a permissions problem is never read as a dependency failure).
 *
 * Consul removes what a token may not read from a health answer, and says so with
 * `X-Consul-Results-Filtered-By-Acls: true` only in some answers: never when no token applies
 * to the request (none sent, none set on the agent), and never in the answer to a blocking query,
 * which Consul's streaming backend serves (measured on 1.16.3). A plain query with a token is
 * always flagged. So an empty answer under a default-deny policy is looked at again — a plain
 * query with a token, a question about the token's rights without one — and only then.
 *
 * @module
 */

/** The parts of a health answer that decide. */
export interface VisibleAnswer {
  /** Passing instances the token could see. */
  readonly passing: number;
  /** Consul said it removed instances the token may not read. */
  readonly filteredByAcls: boolean;
  /** Consul's default ACL policy, when it says. */
  readonly aclDefaultPolicy: string | undefined;
}

/** How the answer was asked for. */
export interface AskedWith {
  /** The request carried an ACL token. */
  readonly sendsToken: boolean;
  /** It was a blocking query (an index was sent). */
  readonly blocking: boolean;
}

/**
 * What an answer says:
 * - `healthy` / `unhealthy`: as the list says;
 * - `hidden`: empty because instances were filtered out (a passing one may be among them);
 * - `recheck`: empty, default deny, unflagged because blocking: ask again with a plain query;
 * - `ask`: empty, default deny, no token sent: ask Consul whether the token in use may read it.
 */
export type AnswerVerdict = "healthy" | "unhealthy" | "hidden" | "recheck" | "ask";

/** Judges a health answer. */
export function judgeAnswer(answer: VisibleAnswer, asked: AskedWith): AnswerVerdict {
  if (answer.passing > 0) return "healthy";
  if (answer.filteredByAcls) return "hidden";
  if (answer.aclDefaultPolicy !== "deny") return "unhealthy";
  if (!asked.sendsToken) return "ask";
  return asked.blocking ? "recheck" : "unhealthy";
}

/** The right the token lacks, when known. */
export type MissingRight = "service:read" | "node:read" | "service:read or node:read";

/** The warning for a dependency the token cannot see, naming the missing right. */
export function hiddenMessage(name: string, missing: MissingRight, sendsToken: boolean): string {
  const who = sendsToken
    ? "the ACL token"
    : "no ACL token is set (CONSUL_HTTP_TOKEN), and the token Consul uses instead";
  const what = missing === "service:read"
    ? `service:read on ${name}`
    : missing === "node:read"
    ? `node:read on the nodes of its instances`
    : `service:read on ${name} or node:read on the nodes of its instances`;
  return `cannot see dependency ${name}: ${who} lacks ${what} (Consul filtered the answer)`;
}
