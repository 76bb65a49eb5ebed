/** Seeded randomness for the Node-side tools: the same seed gives the same samples everywhere. */

/** mulberry32: small, seedable, good enough for sampling negatives and bootstraps. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seeded random stream of training, counted so a resumed run continues it exactly. */
export interface CountingRandom {
  (): number;
  /** Values drawn so far. */
  readonly draws: number;
  /** Draws and discards `count` values (fast-forwards to a checkpoint's position). */
  skip(count: number): void;
}

export function countingRandom(seed: number): CountingRandom {
  const next = seededRandom(seed);
  let draws = 0;
  const random = (() => {
    draws++;
    return next();
  }) as CountingRandom;
  Object.defineProperty(random, 'draws', { get: () => draws });
  random.skip = (count: number) => {
    for (let i = 0; i < count; i++) next();
    draws += count;
  };
  return random;
}
