/**
 * Small root filesystems for chroot and image tests: Debian's static busybox, and either the
 * musl loader (an Alpine-like root without glibc) or nothing else.
 *
 * @module
 */

const MUSL_LOADER = "/lib/ld-musl-x86_64.so.1"; // Debian's musl

/**
 * Creates `root` with /bin/busybox, the given applets linked to it, /tmp and /etc, and, with
 * `musl`, the musl loader — an Alpine-like root with no glibc.
 */
export async function busyboxRoot(
  root: string,
  applets: readonly string[],
  musl = true,
): Promise<string> {
  for (const sub of ["bin", "tmp", "etc", "lib"]) {
    await Deno.mkdir(`${root}/${sub}`, { recursive: true });
  }
  await Deno.copyFile("/bin/busybox", `${root}/bin/busybox`);
  await Deno.chmod(`${root}/bin/busybox`, 0o755);
  for (const applet of applets) await Deno.symlink("busybox", `${root}/bin/${applet}`);
  if (musl) {
    await Deno.mkdir(`${root}/lib/x86_64-linux-musl`, { recursive: true });
    await Deno.copyFile(await Deno.realPath(MUSL_LOADER), `${root}/lib/x86_64-linux-musl/libc.so`);
    await Deno.symlink("x86_64-linux-musl/libc.so", `${root}${MUSL_LOADER}`);
  }
  return root;
}
