/**
 * The little of ZooKeeper's protocol that broker discovery needs: a session's connect request,
 * getChildren and getData without watches, closeSession, and their answers. Frames are an int32
 * length then the payload, every number big-endian (jute). Pure functions; the caller does I/O.
 *
 * @module
 */

/** The largest frame accepted: ZooKeeper's own default `jute.maxbuffer` (1 MiB). */
export const MAX_FRAME_BYTES = 0xfffff;

/** Operation codes of the requests sent. */
export const OP = { getData: 4, getChildren: 8, closeSession: -11 } as const;

/** Error codes worth naming (ZooKeeper's KeeperException codes). */
const ERROR_NAMES: Readonly<Record<number, string>> = {
  [-4]: "CONNECTIONLOSS",
  [-7]: "OPERATIONTIMEOUT",
  [-8]: "BADARGUMENTS",
  [-101]: "NONODE",
  [-102]: "NOAUTH",
  [-112]: "SESSIONEXPIRED",
};

/** The error code of a node that does not exist. */
export const NO_NODE = -101;

/** An answer that is not what ZooKeeper sends. */
export class ZooKeeperAnswerError extends Error {
  override name = "ZooKeeperAnswerError";
}

/** The session ZooKeeper granted. */
export interface SessionGrant {
  /** The session's timeout (ms); 0 or less when the server refused the session. */
  readonly timeoutMs: number;
}

/** An answer's header: whose request it answers, and its error code (0: none). */
export interface ReplyHeader {
  /** The request's id (-1: a watch event, -2: a ping). */
  readonly xid: number;
  /** 0, or a KeeperException code. */
  readonly err: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The framed connect request of a new session (no previous session, read-write). */
export function connectRequest(sessionTimeoutMs: number): Uint8Array {
  const body = new Uint8Array(4 + 8 + 4 + 8 + 4 + 16 + 1);
  const view = new DataView(body.buffer);
  // protocolVersion 0, lastZxidSeen 0, timeOut, sessionId 0, a 16-byte zero password, readOnly no.
  view.setInt32(12, sessionTimeoutMs);
  view.setInt32(24, 16);
  return frame(body);
}

/** A framed getChildren or getData request for `path`, without a watch. */
export function readRequest(xid: number, op: number, path: string): Uint8Array {
  const name = encoder.encode(path);
  const body = new Uint8Array(4 + 4 + 4 + name.length + 1);
  const view = new DataView(body.buffer);
  view.setInt32(0, xid);
  view.setInt32(4, op);
  view.setInt32(8, name.length);
  body.set(name, 12);
  return frame(body);
}

/** The framed closeSession request. */
export function closeRequest(xid: number): Uint8Array {
  const body = new Uint8Array(8);
  const view = new DataView(body.buffer);
  view.setInt32(0, xid);
  view.setInt32(4, OP.closeSession);
  return frame(body);
}

/**
 * The payload length a frame's first four bytes announce.
 *
 * @throws {ZooKeeperAnswerError} When it is negative or over {@linkcode MAX_FRAME_BYTES}.
 */
export function frameLength(prefix: Uint8Array): number {
  const length = new DataView(prefix.buffer, prefix.byteOffset, 4).getInt32(0);
  if (length < 0 || length > MAX_FRAME_BYTES) {
    throw new ZooKeeperAnswerError(
      `announced an answer of ${length} bytes (0 to ${MAX_FRAME_BYTES} expected)`,
    );
  }
  return length;
}

/** The session granted by a connect response. */
export function decodeConnectResponse(payload: Uint8Array): SessionGrant {
  const reader = new Reader(payload);
  reader.int32("the protocol version");
  const timeoutMs = reader.int32("the session timeout");
  reader.skip(8, "the session id");
  reader.bytes("the session password");
  return { timeoutMs };
}

/** An answer's header, and a reader positioned at its body. */
export function decodeReply(payload: Uint8Array): { header: ReplyHeader; body: Reader } {
  const reader = new Reader(payload);
  const xid = reader.int32("the request id");
  reader.skip(8, "the zxid");
  const err = reader.int32("the error code");
  return { header: { xid, err }, body: reader };
}

/** The names of a getChildren answer's children. */
export function decodeChildren(body: Reader): string[] {
  const count = body.int32("the number of children");
  if (count < 0) return [];
  if (count > body.remaining / 4) {
    throw new ZooKeeperAnswerError(`claims ${count} children in ${body.remaining} bytes`);
  }
  const children: string[] = [];
  for (let i = 0; i < count; i++) children.push(decoder.decode(body.bytes("a child's name")));
  return children;
}

/** A getData answer's data (empty for none). */
export function decodeData(body: Reader): Uint8Array {
  return body.bytes("the node's data");
}

/** A KeeperException code as ZooKeeper names it (`NONODE`), or its number. */
export function errorName(code: number): string {
  return ERROR_NAMES[code] ?? `error ${code}`;
}

/** Reads jute primitives from an answer, checking bounds. */
export class Reader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  #offset = 0;

  /** Reads `bytes` from the start. */
  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Bytes left. */
  get remaining(): number {
    return this.#bytes.length - this.#offset;
  }

  /** Reads a big-endian int32. */
  int32(what: string): number {
    return this.#view.getInt32(this.#take(4, what));
  }

  /** Skips `n` bytes. */
  skip(n: number, what: string): void {
    this.#take(n, what);
  }

  /** Reads int32-length bytes (empty for -1). */
  bytes(what: string): Uint8Array {
    const length = this.int32(what);
    if (length < 0) return new Uint8Array(0);
    const at = this.#take(length, what);
    return this.#bytes.subarray(at, at + length);
  }

  #take(n: number, what: string): number {
    if (this.#offset + n > this.#bytes.length) {
      throw new ZooKeeperAnswerError(
        `ended early: ${what} needs ${n} bytes at offset ${this.#offset}, ${this.remaining} left`,
      );
    }
    const at = this.#offset;
    this.#offset += n;
    return at;
  }
}

function frame(body: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(4 + body.length);
  new DataView(bytes.buffer).setInt32(0, body.length);
  bytes.set(body, 4);
  return bytes;
}
