import { deepEqual, equal, match } from "node:assert/strict";
import { fileStart, notFoundReason } from "../../src/mate/not_found.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("fileStart() reads a #! line, an ELF header, or neither", () => {
  deepEqual(fileStart(bytes("#!/bin/bash -e\necho")), {
    kind: "script",
    interpreter: "/bin/bash",
    carriageReturn: false,
  });
  deepEqual(fileStart(bytes("#! /usr/bin/env node\r\n")), {
    kind: "script",
    interpreter: "/usr/bin/env",
    carriageReturn: false,
  }, "the carriage return is on the argument, not on the interpreter");
  deepEqual(fileStart(bytes("#!/bin/sh\r\n")), {
    kind: "script",
    interpreter: "/bin/sh",
    carriageReturn: true,
  });
  deepEqual(fileStart(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1])), { kind: "elf" });
  deepEqual(fileStart(bytes("echo hi")), { kind: "other" });
  deepEqual(fileStart(new Uint8Array()), { kind: "other" });
});

Deno.test("notFoundReason() says what is missing, in one line", () => {
  equal(
    notFoundReason("/app/run.sh", fileStart(bytes("#!/bin/bash\n"))),
    "cannot run /app/run.sh: its interpreter /bin/bash (the #! line) does not exist",
  );
  match(notFoundReason("run.sh", fileStart(bytes("#!/bin/sh\r\n")))!, /carriage return/);
  match(notFoundReason("app", { kind: "elf" })!, /the loader it was built for/);
  equal(notFoundReason("app", { kind: "other" }), undefined);
  equal(notFoundReason("x", fileStart(bytes("#!/bin/sh\r\n")))!.includes("\n"), false);
});
