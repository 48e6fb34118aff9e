/**
 * The error of a failed Consul call, and of a watch that cannot say what it should.
 *
 * @module
 */

/** Why a Consul call failed. */
export type ConsulFailure =
  | "unreachable" // connection refused, DNS, socket missing, TLS
  | "timeout" // no answer within the call's timeout
  | "http" // Consul answered with a non-2xx, non-3xx status
  | "redirect" // a 3xx answer: Consul's API never redirects, and the token must not follow it
  | "connection-limit" // turned away: too many concurrent connections from this address (429)
  | "bad-response" // Consul answered 2xx with something that is not what the API promises
  | "acl-filtered" // the ACL token may not see the instances asked for
  | "late-answer"; // a blocking query outlived its wait plus a margin

/** A Consul call that failed; the message says which call and why, never the token. */
export class ConsulError extends Error {
  /** The call, e.g. `PUT /v1/agent/service/register`. */
  readonly call: string;
  /** Why it failed. */
  readonly failure: ConsulFailure;
  /** HTTP status, for `http`, `redirect` and `connection-limit` (429) failures. */
  readonly status: number | undefined;
  /** Why, in a few words, for a line that already names the subject (see {@linkcode reason}). */
  readonly #detail: string;

  /**
   * Creates the error. `detail` is Consul's own message or the transport error; for
   * `acl-filtered` and `late-answer` it is the whole message.
   */
  constructor(call: string, failure: ConsulFailure, detail: string, status?: number) {
    super(
      failure === "acl-filtered" || failure === "late-answer"
        ? detail
        : `Consul call ${call} failed: ${describe(failure, detail, status)}`,
    );
    this.name = "ConsulError";
    this.call = call;
    this.failure = failure;
    this.status = status;
    this.#detail = detail;
  }

  /** True when Consul answered 404 (e.g. the agent forgot a check after a restart). */
  get isNotFound(): boolean {
    return this.failure === "http" && this.status === 404;
  }

  /** True when the failure means Consul cannot be reached at all (not a rejection). */
  get isUnavailable(): boolean {
    return this.failure === "unreachable" || this.failure === "timeout" ||
      this.failure === "late-answer" ||
      (this.failure === "http" && this.status !== undefined && this.status >= 500);
  }

  /**
   * What went wrong in a few words, without the call: e.g. "Consul is unreachable (connection
   * refused)", "Consul answered HTTP 403: ACL not found".
   */
  get reason(): string {
    switch (this.failure) {
      case "unreachable":
        return `Consul is unreachable (${this.#detail})`;
      case "timeout":
        return `Consul did not answer within ${this.#detail}`;
      case "http":
        return `Consul answered HTTP ${this.status}${this.#detail ? `: ${this.#detail}` : ""}`;
      case "connection-limit":
        return "Consul turned the connection away: too many concurrent connections from this " +
          "address (limits.http_max_conns_per_client)";
      case "redirect":
        return `Consul's address answered with a redirect (HTTP ${this.status}), not followed`;
      case "bad-response":
        return `Consul's answer is not what its API promises: ${this.#detail}`;
      default: // acl-filtered, late-answer: the message is already short and whole
        return this.message;
    }
  }
}

const RATE_LIMITED = " (Consul is rate-limiting requests: see the agent's limits settings)";

function describe(failure: ConsulFailure, detail: string, status?: number): string {
  switch (failure) {
    case "unreachable":
      return `cannot connect: ${detail}${tlsHint(detail)}`;
    case "timeout":
      return `no answer within ${detail}`;
    case "http":
      return `HTTP ${status}${detail ? `: ${detail}` : ""}${status === 429 ? RATE_LIMITED : ""}`;
    case "connection-limit":
      return "the agent turned the connection away: too many concurrent connections from this " +
        "address (HTTP 429; the agent's limits.http_max_conns_per_client, 200 by default, " +
        "counts every open connection from this address, those of other clients on it included)";
    case "redirect":
      return `HTTP ${status} redirect, not followed (Consul's API never redirects: ` +
        "is the address a proxy or another server?)";
    case "bad-response":
      return `unexpected answer: ${detail}`;
    case "acl-filtered":
    case "late-answer":
      return detail;
  }
}

/** What to do about an agent certificate that no trusted CA signed. */
function tlsHint(detail: string): string {
  if (/UnknownIssuer|unknown ?issuer|self.signed/i.test(detail)) {
    return " (to trust a private CA, set CONSUL_CACERT to its PEM file)";
  }
  return "";
}
