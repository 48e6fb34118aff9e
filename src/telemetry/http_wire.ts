/**
 * The little of HTTP/1.x the telemetry endpoint speaks: where a request's head ends, its method
 * and path, and an answer that closes the connection. Pure functions; the server reads and writes.
 *
 * @module
 */

/** A request's method and path (the query left out). */
export interface RequestLine {
  /** The method, as sent (`GET`). */
  readonly method: string;
  /** The path, without query or fragment (`/metrics`). */
  readonly path: string;
}

/** An answer to send: status, reason, headers and body. */
export interface Answer {
  /** The status code. */
  readonly status: number;
  /** The status's reason phrase. */
  readonly reason: string;
  /** Headers besides content-length and connection. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body. */
  readonly body: string;
}

const REQUEST_LINE = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/;

/**
 * The index just past the head's blank line in `bytes`, or -1 when not there yet. Lines end in
 * CRLF, or in a bare LF as some clients send (`printf 'GET /metrics HTTP/1.0\n\n' | nc`).
 */
export function headEnd(bytes: Uint8Array): number {
  for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) {
    if (bytes[i + 1] === 10) return i + 2;
    if (bytes[i + 1] === 13 && bytes[i + 2] === 10) return i + 3;
  }
  return -1;
}

/** The request line of a head, or undefined when it is not an HTTP/1.0 or 1.1 request line. */
export function parseRequestLine(head: Uint8Array): RequestLine | undefined {
  const end = head.indexOf(10);
  const line = new TextDecoder().decode(head.subarray(0, end < 0 ? head.length : end))
    .replace(/\r$/, "");
  const match = REQUEST_LINE.exec(line);
  if (!match) return undefined;
  const [, method, target] = match as unknown as [string, string, string];
  let path: string;
  try {
    // Origin form (`/metrics?x`) and absolute form (`http://host/metrics`) alike.
    path = new URL(target, "http://telemetry").pathname;
  } catch {
    return undefined;
  }
  return { method, path };
}

/** The bytes of `answer`, its body left out for a HEAD request; the connection closes after it. */
export function encodeAnswer(answer: Answer, withBody: boolean): Uint8Array {
  const body = new TextEncoder().encode(answer.body);
  const headers = {
    ...answer.headers,
    "content-length": String(body.length),
    connection: "close",
  };
  const head = `HTTP/1.1 ${answer.status} ${answer.reason}\r\n` +
    Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join("") + "\r\n";
  const headBytes = new TextEncoder().encode(head);
  if (!withBody) return headBytes;
  const bytes = new Uint8Array(headBytes.length + body.length);
  bytes.set(headBytes);
  bytes.set(body, headBytes.length);
  return bytes;
}
