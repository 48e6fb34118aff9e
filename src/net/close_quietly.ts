/**
 * Closing a connection or listener that may be closed already (by a deadline, by its peer).
 *
 * @module
 */

/** Closes `resource`; one closed already is no error. */
export function closeQuietly(resource: { close(): void }): void {
  try {
    resource.close();
  } catch {
    // closed already
  }
}
