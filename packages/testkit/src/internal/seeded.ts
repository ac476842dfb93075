/**
 * Seeded, reproducible draws shared by scenario chaos and the fault proxy.
 *
 * @internal
 */

/** A 32-bit hash of a seed and a key (FNV-1a, then a murmur3 finaliser). @internal */
export const hash = (seed: number, key: string): number => {
  let h = (0x811c9dc5 ^ seed) >>> 0
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b) >>> 0
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35) >>> 0
  h ^= h >>> 16
  return h >>> 0
}

/** A uniform number in [0, 1) for (seed, key). @internal */
export const drawFor = (seed: number, key: string): number => hash(seed, key) / 0x100000000
