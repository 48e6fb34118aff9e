import { equal, ok } from "node:assert/strict";
import { PILOT_ENTRY } from "../support/entry.ts";

/** Sets O_NONBLOCK on this process's stdout (libc's fcntl), as a parent sharing the pipe may. */
const SET_STDOUT_NONBLOCKING = `
const libc = Deno.dlopen("libc.so.6", {
  fcntl: { parameters: ["i32", "i32", "i32"], result: "i32" },
});
const F_GETFL = 3, F_SETFL = 4, O_NONBLOCK = 0o4000;
const flags = libc.symbols.fcntl(1, F_GETFL, 0);
if (flags < 0 || libc.symbols.fcntl(1, F_SETFL, flags | O_NONBLOCK) < 0) Deno.exit(3);
`;

Deno.test("check whose stdout is a full non-blocking pipe exits 0, without a stack trace", async () => {
  const deno = Deno.execPath();
  // The pipe is made non-blocking, then filled (head stops at EAGAIN); nobody reads it until
  // the pilot has exited, so its report meets EAGAIN and stays unwritten.
  const script = `"${deno}" eval --allow-ffi '${SET_STDOUT_NONBLOCKING}' || exit 3; ` +
    "head -c 200000 /dev/zero 2>/dev/null; " +
    `exec "${deno}" run --allow-all --frozen "${PILOT_ENTRY}" check`;
  const child = new Deno.Command("sh", {
    args: ["-c", script],
    env: {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      CONSUL: "consul:8500",
      SERVICE_NAME: "web",
      AMPPILOT_LAUNCH_CMD: "true",
    },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const status = await child.status;
  const err = await stderr;
  const out = await new Response(child.stdout).arrayBuffer();
  equal(status.code, 0, err);
  equal(err, "", "nothing on stderr: no WouldBlock, no stack trace");
  ok(out.byteLength >= 4096, "the pipe was full before the pilot wrote");
});
