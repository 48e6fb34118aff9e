import { equal, ok, rejects } from "node:assert/strict";
import { BodyTooLargeError, readTextAtMost } from "../../src/net/read_body.ts";

/** A body in the given chunks, recording whether the reader cancelled it. */
function chunked(chunks: readonly Uint8Array[], headers?: HeadersInit) {
  let next = 0;
  const seen = { cancelled: false, pulled: 0 };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      seen.pulled++;
      if (next < chunks.length) controller.enqueue(chunks[next++]!);
      else controller.close();
    },
    cancel() {
      seen.cancelled = true;
    },
  }, { highWaterMark: 0 });
  return { response: new Response(body, { headers }), seen };
}

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("readTextAtMost() joins the chunks, a character split between two included", async () => {
  const euro = bytes("€"); // three bytes
  const { response } = chunked([bytes("price: "), euro.slice(0, 1), euro.slice(1), bytes("5")]);
  equal(await readTextAtMost(response, 1024), "price: €5");
});

Deno.test("readTextAtMost() takes a body of exactly the limit, and an empty one", async () => {
  equal(await readTextAtMost(chunked([bytes("12345"), bytes("678")]).response, 8), "12345678");
  equal(await readTextAtMost(new Response(null), 8), "");
});

Deno.test("readTextAtMost() stops at the first byte over the limit and cancels the rest", async () => {
  const { response, seen } = chunked([bytes("1234"), bytes("5678"), bytes("9"), bytes("0")]);
  await rejects(readTextAtMost(response, 8), (e: unknown) => {
    ok(e instanceof BodyTooLargeError);
    return true;
  });
  ok(seen.cancelled, "the body was not cancelled");
  equal(seen.pulled, 3, "read past the chunk that crossed the limit");
});

Deno.test("readTextAtMost() refuses a declared Content-Length over the limit without reading", async () => {
  const { response, seen } = chunked([bytes("x")], { "Content-Length": "3145729" });
  await rejects(
    readTextAtMost(response, 3 * 1024 * 1024),
    new BodyTooLargeError(3 * 1024 * 1024),
  );
  equal(new BodyTooLargeError(3 * 1024 * 1024).message, "the answer is larger than 3 MiB");
  ok(seen.cancelled);
  equal(seen.pulled, 0);
});
