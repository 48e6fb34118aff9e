/**
 * Why a command that the system reports as not found could not run, when the file is there: a
 * script whose `#!` interpreter is missing (an Alpine image without bash, a script saved with
 * Windows line endings), or a program whose loader is missing (a glibc binary on musl). The
 * kernel says ENOENT for all three, and "command not found" would send the user the wrong way.
 *
 * @module
 */

/** What the start of a file says about how it runs. */
export type FileStart =
  | { readonly kind: "script"; readonly interpreter: string; readonly carriageReturn: boolean }
  | { readonly kind: "elf" }
  | { readonly kind: "other" };

/** Reads what `head` (the first bytes of a file) says about how it runs. */
export function fileStart(head: Uint8Array): FileStart {
  if (head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46) {
    return { kind: "elf" };
  }
  if (head[0] !== 0x23 || head[1] !== 0x21) return { kind: "other" };
  const text = new TextDecoder().decode(head.subarray(2));
  const newline = text.indexOf("\n");
  const line = newline < 0 ? text : text.slice(0, newline);
  const token = line.replace(/^[ \t]+/, "").split(/[ \t]+/)[0] ?? "";
  // The carriage return matters only where it sticks to the interpreter's name.
  const carriageReturn = token.endsWith("\r");
  return { kind: "script", interpreter: token.replace(/\r$/, ""), carriageReturn };
}

/** The line for a command whose file is there but cannot run for want of what it names. */
export function notFoundReason(command: string, start: FileStart): string | undefined {
  switch (start.kind) {
    case "script":
      return start.carriageReturn
        ? `cannot run ${command}: its #! line ends in a carriage return (Windows line endings), ` +
          `so the interpreter "${start.interpreter}\\r" does not exist`
        : `cannot run ${command}: its interpreter ${start.interpreter} (the #! line) does not exist`;
    case "elf":
      return `cannot run ${command}: the file is there, but the loader it was built for (glibc's ` +
        "or musl's) is not on this system";
    case "other":
      return undefined;
  }
}
