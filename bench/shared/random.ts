/**
 * The benches' one seeded pseudo-random source (mulberry32: tiny, fast, identical on every platform), so that a chaos
 * fault schedule or a set of fuzz cases is reproduced from its seed.
 */

/** A generator of uniform numbers in [0, 1) from a 32-bit seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

export interface Random {
  seed: number;
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [min, max). */
  between(min: number, max: number): number;
}

export function seededRandom(seed: number): Random {
  const next = mulberry32(seed);
  return { seed, next, between: (min, max) => min + (max - min) * next() };
}
