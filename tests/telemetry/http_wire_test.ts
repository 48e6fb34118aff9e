import { deepEqual, equal } from "node:assert/strict";
import { encodeAnswer, headEnd, parseRequestLine } from "../../src/telemetry/http_wire.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("headEnd() finds the blank line that ends a request's head, or says it is not there yet", () => {
  equal(headEnd(bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n")), 27);
  equal(headEnd(bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\nbody")), 27);
  equal(headEnd(bytes("GET / HTTP/1.1\r\nHost: a\r\n")), -1);
  equal(headEnd(bytes("\r\n\r")), -1);
  equal(headEnd(bytes("GET / HTTP/1.0\n\n")), 16, "bare LF");
  equal(headEnd(bytes("GET / HTTP/1.0\nHost: a\r\n\r\n")), 26, "mixed");
  equal(headEnd(bytes("GET / HTTP/1.0\n")), -1);
  equal(headEnd(new Uint8Array()), -1);
});

Deno.test("parseRequestLine() takes the method and the path, in origin or absolute form", () => {
  deepEqual(parseRequestLine(bytes("GET /metrics HTTP/1.1\r\nHost: a\r\n\r\n")), {
    method: "GET",
    path: "/metrics",
  });
  deepEqual(parseRequestLine(bytes("HEAD /status?x=1 HTTP/1.0\r\n\r\n")), {
    method: "HEAD",
    path: "/status",
  });
  deepEqual(parseRequestLine(bytes("GET /metrics HTTP/1.0\n\n")), {
    method: "GET",
    path: "/metrics",
  });
  deepEqual(parseRequestLine(bytes("GET http://pilot:9090/metrics HTTP/1.1\r\n\r\n")), {
    method: "GET",
    path: "/metrics",
  });
});

Deno.test("parseRequestLine() refuses what is not an HTTP/1.x request line", () => {
  for (
    const head of [
      "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", // a TLS client hello
      "GET /metrics\r\n\r\n", // HTTP/0.9
      "GET /metrics HTTP/2.0\r\n\r\n",
      "get /metrics HTTP/1.1\r\n\r\n",
      "GET  /metrics HTTP/1.1\r\n\r\n",
      "\r\n\r\n",
    ]
  ) {
    equal(parseRequestLine(bytes(head)), undefined, JSON.stringify(head));
  }
});

Deno.test("encodeAnswer() counts the body's bytes, closes the connection, and leaves the body out for HEAD", () => {
  const answer = {
    status: 200,
    reason: "OK",
    headers: { "content-type": "text/plain" },
    body: "é\n",
  };
  const text = new TextDecoder().decode(encodeAnswer(answer, true));
  equal(
    text,
    "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 3\r\nconnection: close\r\n\r\né\n",
  );
  const head = new TextDecoder().decode(encodeAnswer(answer, false));
  equal(head, text.slice(0, text.indexOf("\r\n\r\n") + 4));
});
