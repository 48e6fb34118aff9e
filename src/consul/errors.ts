/**
 * The error of a failed Consul call.
 *
 * @module
 */

/** Why a Consul call failed. */
export type ConsulFailure =
  | "unreachable" // connection refused, DNS, socket missing, TLS
  | "timeout" // no answer within the call's timeout
  | "http" // Consul answered with a non-2xx status
  | "bad-response"; // Consul answered 2xx with something that is not what the API promises

/** A Consul call that failed; the message says which call and why, never the token. */
export class ConsulError extends Error {
  /** The call, e.g. `PUT /v1/agent/service/register`. */
  readonly call: string;
  /** Why it failed. */
  readonly failure: ConsulFailure;
  /** HTTP status, for `http` failures. */
  readonly status: number | undefined;

  /** Creates the error; `detail` is Consul's own message or the transport error. */
  constructor(call: string, failure: ConsulFailure, detail: string, status?: number) {
    super(`Consul call ${call} failed: ${describe(failure, detail, status)}`);
    this.name = "ConsulError";
    this.call = call;
    this.failure = failure;
    this.status = status;
  }

  /** True when Consul answered 404 (e.g. the agent forgot a check after a restart). */
  get isNotFound(): boolean {
    return this.failure === "http" && this.status === 404;
  }

  /** True when the failure means Consul cannot be reached at all (not a rejection). */
  get isUnavailable(): boolean {
    return this.failure === "unreachable" || this.failure === "timeout" ||
      (this.failure === "http" && this.status !== undefined && this.status >= 500);
  }
}

function describe(failure: ConsulFailure, detail: string, status?: number): string {
  switch (failure) {
    case "unreachable":
      return `cannot connect: ${detail}${tlsHint(detail)}`;
    case "timeout":
      return `no answer within ${detail}`;
    case "http":
      return `HTTP ${status}${detail ? `: ${detail}` : ""}`;
    case "bad-response":
      return `unexpected answer: ${detail}`;
  }
}

/** What to do about an agent certificate that no trusted CA signed. */
function tlsHint(detail: string): string {
  if (/UnknownIssuer|unknown ?issuer|self.signed/i.test(detail)) {
    return " (to trust a private CA, set CONSUL_CACERT to its PEM file)";
  }
  return "";
}
