/**
 * Reads a file named by the configuration (the conffile, a token, a password, a PEM file)
 * without ever holding more than a limit in memory or blocking on something that is not a
 * regular file: `/dev/zero` would fill the memory, a FIFO would block the open until a writer
 * came.
 *
 * @module
 */

import { formatBytes } from "./values.ts";

/** The largest conffile or PEM file the pilot reads. */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

/** Reads a text file of at most `maxBytes` bytes (larger ones are refused, never loaded). */
export type TextFileReader = (path: string, maxBytes: number) => Promise<string>;

/** A file the pilot refuses to read; the message says why in a few words. */
export class FileRefusedError extends Error {
  /** Creates the error from its reason ("it is larger than 1 MiB"). */
  constructor(reason: string) {
    super(reason);
    this.name = "FileRefusedError";
  }
}

/** What a file that is not a regular one is, for messages. */
function kindOf(info: Deno.FileInfo): string {
  if (info.isDirectory) return "a directory";
  if (info.isFifo) return "a FIFO";
  if (info.isCharDevice) return "a character device";
  if (info.isBlockDevice) return "a block device";
  if (info.isSocket) return "a socket";
  return "not a regular file";
}

/**
 * Reads the UTF-8 text of the regular file at `path`, of at most `maxBytes` bytes.
 *
 * @throws {FileRefusedError} When it is not a regular file, or is larger than `maxBytes`.
 * @throws {Deno.errors.NotFound} And other I/O errors, as `Deno.stat`/`Deno.open` raise them.
 */
export async function readBoundedTextFile(path: string, maxBytes: number): Promise<string> {
  // stat never opens the file, so a FIFO cannot block here.
  const info = await Deno.stat(path);
  if (!info.isFile) {
    const kind = kindOf(info);
    throw new FileRefusedError(
      kind === "not a regular file" ? "it is not a regular file" : `it is ${kind}, not a file`,
    );
  }
  const tooLarge = () => new FileRefusedError(`it is larger than ${formatBytes(maxBytes)}`);
  if (info.size > maxBytes) throw tooLarge();
  // The size can lie (files in /proc, a file that grows): read at most one byte past the limit.
  using file = await Deno.open(path, { read: true });
  const buffer = new Uint8Array(maxBytes + 1);
  let length = 0;
  while (length < buffer.length) {
    const n = await file.read(buffer.subarray(length));
    if (n === null) break;
    length += n;
  }
  if (length > maxBytes) throw tooLarge();
  return new TextDecoder().decode(buffer.subarray(0, length));
}
