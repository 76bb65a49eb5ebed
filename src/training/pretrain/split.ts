/**
 * The split `localrank train` and `npm run pretrain` use: every user with at least 3 events holds
 * out their last item; sampled held-out items (against 99 items the user never touched) choose
 * the epoch to keep and make the validation report.
 */
import { seededRandom } from '../data/random';
import { sliceSequence, type Dataset, type Sequence } from '../data/dataset';
import { caseTime, historyOf, itemRef, sampleNegatives, type RankCase } from './rank';

/** Validation cases: each sampled user's sequence item at `end`, history before it. */
export function validationCases(data: Dataset, seqs: readonly Sequence[], end: (s: Sequence) => number, count: number, seed: number): RankCase[] {
  const random = seededRandom(seed);
  const pool = seqs.filter((s) => end(s) >= 1);
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, count).map((s) => {
    const e = end(s);
    return {
      user: s.user,
      history: historyOf(data, s, e),
      now: caseTime(data, s, e),
      candidates: [itemRef(data, s.items[e]), ...sampleNegatives(data, s, 99, random).map((r) => itemRef(data, r))],
    };
  });
}

export interface HoldOut {
  /** Every sequence, less its last item when it has at least 3. */
  train: Sequence[];
  validation: RankCase[];
}

export function holdOutLast(data: Dataset, validUsers: number, seed: number): HoldOut {
  const train = data.sequences.map((s) => (s.items.length >= 3 ? sliceSequence(s, 0, s.items.length - 1) : s));
  const validation = validationCases(data, data.sequences.filter((s) => s.items.length >= 3), (s) => s.items.length - 1, validUsers, seed);
  return { train, validation };
}
