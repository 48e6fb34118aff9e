/**
 * Consul's rules for the index of blocking queries (SPEC §3, Consul's "blocking queries" page).
 *
 * @module
 */

/**
 * The index to send with the next blocking query, given the previous one and the
 * `X-Consul-Index` just received.
 *
 * - an index that is not a positive integer is replaced by 1 (sending 0 never blocks, which
 *   turns the watch into a busy loop);
 * - an index lower than the previous one (snapshot restore, agent restart) resets to 0, which
 *   means "ask once without blocking" and starts over from the next answer.
 *
 * @param previous The index sent with the query that just returned (0 for none).
 * @param received The `X-Consul-Index` of its answer.
 * @returns The index to send next; 0 means "do not send an index".
 */
export function nextBlockingIndex(previous: number, received: number): number {
  if (!Number.isSafeInteger(received) || received <= 0) return 1;
  if (received < previous) return 0;
  return received;
}

/** Parses an `X-Consul-Index` header; `undefined` when absent or not a non-negative integer. */
export function parseIndexHeader(value: string | null): number | undefined {
  if (value === null || !/^\d+$/.test(value.trim())) return undefined;
  const n = Number(value.trim());
  return Number.isSafeInteger(n) ? n : undefined;
}
