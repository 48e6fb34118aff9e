/**
 * Waits for a condition that a peer reaches asynchronously (Consul's anti-entropy, a process
 * that exits), failing with the last observation when it does not happen in time.
 *
 * @module
 */

/**
 * Retries `probe` every `intervalMs` until it returns without throwing, or rethrows its last
 * error after `timeoutMs`.
 */
export async function eventually<T>(
  probe: () => T | Promise<T>,
  timeoutMs = 15_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (e) {
      if (Date.now() >= deadline) throw e;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
