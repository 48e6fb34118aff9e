/**
 * The Deno permissions the pilot needs. Under `deno run` without them, Deno would stop at the
 * first use with a `NotCapable` stack trace (or prompt, one permission at a time); the pilot
 * asks first and prints one line naming the flags to give.
 *
 * @module
 */

/** One permission flag, and the descriptors it grants. */
export interface PermissionFlag {
  /** The flag of `deno run` / `deno compile`. */
  readonly flag: string;
  /** What the pilot asks for; none for a permission it can run without. */
  readonly required: readonly Deno.PermissionDescriptor[];
}

/** The flags the pilot runs with; the release compiles the same in (scripts/release.ts). */
export const PILOT_PERMISSIONS: readonly PermissionFlag[] = [
  { flag: "--allow-run", required: [{ name: "run" }] },
  { flag: "--allow-env", required: [{ name: "env" }] },
  { flag: "--allow-net", required: [{ name: "net" }] },
  { flag: "--allow-read", required: [{ name: "read" }] },
  { flag: "--allow-write", required: [{ name: "write" }] },
  {
    flag: "--allow-sys=networkInterfaces,hostname",
    required: [{ name: "sys", kind: "networkInterfaces" }],
  },
  // The PID-1 zombie reaper only; without it the pilot warns and runs.
  { flag: "--allow-ffi", required: [] },
];

/** Tells whether a permission is granted (default: Deno's own answer, which never prompts). */
export type PermissionQuery = (descriptor: Deno.PermissionDescriptor) => boolean;

const granted: PermissionQuery = (descriptor) =>
  Deno.permissions.querySync(descriptor).state === "granted";

/** The flags whose permissions are missing, in the order of {@linkcode PILOT_PERMISSIONS}. */
export function missingPermissionFlags(query: PermissionQuery = granted): string[] {
  return PILOT_PERMISSIONS
    .filter((p) => p.required.some((descriptor) => !query(descriptor)))
    .map((p) => p.flag);
}

/** The one line printed when permissions are missing, or undefined when none is. */
export function permissionProblem(query: PermissionQuery = granted): string | undefined {
  const missing = missingPermissionFlags(query);
  if (missing.length === 0) return undefined;
  return `amp-pilot: Deno permissions missing (${missing.join(" ")}); run it with ` +
    `deno run --allow-all, or exactly ${PILOT_PERMISSIONS.map((p) => p.flag).join(" ")}`;
}
