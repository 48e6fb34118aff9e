/**
 * Kafka's default partitioner for keyed records: murmur2 of the key, made positive, modulo the
 * partition count — the same partition the Java client and kafkajs choose for the same key.
 *
 * @module
 */

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** Kafka's murmur2 hash of `key` (a signed 32-bit integer). */
export function murmur2(key: Uint8Array): number {
  const length = key.length;
  let h = (SEED ^ length) | 0;
  const end4 = length - (length % 4);
  for (let i = 0; i < end4; i += 4) {
    let k = key[i]! | (key[i + 1]! << 8) | (key[i + 2]! << 16) | (key[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const rest = length % 4;
  if (rest === 3) h ^= key[end4 + 2]! << 16;
  if (rest >= 2) h ^= key[end4 + 1]! << 8;
  if (rest >= 1) h = Math.imul(h ^ key[end4]!, M);
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition Kafka's default partitioner picks for `key` among `partitionCount`. */
export function partitionForKey(key: Uint8Array, partitionCount: number): number {
  return (murmur2(key) & 0x7fffffff) % partitionCount;
}
