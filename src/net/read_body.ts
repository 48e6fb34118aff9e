/**
 * Reads an HTTP answer's body as text, up to a limit: a peer that streams without end (the wrong
 * service behind the address, a broken proxy) fails the call instead of filling the pilot's
 * memory until the deadline.
 *
 * @module
 */

/** An answer's body was larger than the caller takes; the rest was not read. */
export class BodyTooLargeError extends Error {
  /** Creates it; the message names the limit in MiB ("the answer is larger than 32 MiB"). */
  constructor(maxBytes: number) {
    super(`the answer is larger than ${maxBytes / (1024 * 1024)} MiB`);
    this.name = "BodyTooLargeError";
  }
}

/**
 * The body of `response` as UTF-8 text, when it holds at most `maxBytes` bytes; otherwise the body
 * is cancelled and {@linkcode BodyTooLargeError} thrown (at once when the answer's
 * `Content-Length` says so).
 */
export async function readTextAtMost(response: Response, maxBytes: number): Promise<string> {
  if (Number(response.headers.get("content-length")) > maxBytes) {
    await response.body?.cancel();
    throw new BodyTooLargeError(maxBytes);
  }
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        throw new BodyTooLargeError(maxBytes);
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  return decodeChunks(chunks, size);
}

function decodeChunks(chunks: readonly Uint8Array[], size: number): string {
  if (chunks.length === 1) return new TextDecoder().decode(chunks[0]);
  const whole = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    whole.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(whole);
}
