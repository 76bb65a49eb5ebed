/** The seeded random stream of training, counted so a resumed run continues it exactly. */
import { seededRandom } from '../worker/trainer';

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
