/**
 * Evaluation protocols of issue 3 (Node side): which sequences pretrain the scorer, which users
 * are tested on which item, and what the "server" sends as candidates.
 */
import { fnv1a } from '../../worker/ranking/features';
import { seededRandom } from '../data/random';
import { popularity, sliceSequence, type Dataset, type Sequence } from '../data/dataset';
import type { EvalCase } from './eval-core';
import { caseTime, historyOf, itemRef, sampleNegatives, type RankCase } from '../pretrain/rank';

export type Protocol = 'standard' | 'device' | 'retriever';
/** `test`: the last item; `valid`: the second-last (for choosing hyper-parameters). */
export type Target = 'test' | 'valid';

/** Stable 10% of users that only exist "on the device" in the device protocol. */
export function isDeviceUser(user: string): boolean {
  return fnv1a(`device-split:${user}`) % 10 === 0;
}

function head(s: Sequence, n: number): Sequence {
  return sliceSequence(s, 0, n);
}

export interface Split {
  /** What pretraining sees. */
  train: Sequence[];
  /** Early-stopping cases for pretraining (never a test item). */
  validation: (data: Dataset, count: number, seed: number) => RankCase[];
  /** The users and target indices those cases are drawn from (the ranker head trains on them too). */
  validationPool: Array<{ seq: Sequence; end: number }>;
  /** Users the evaluation may draw, with the index of their target item. */
  testUsers: Array<{ seq: Sequence; end: number }>;
  /** Key of the pretrained model in the cache (standard and retriever share one). */
  modelKey: string;
}

export function splitFor(data: Dataset, protocol: Protocol, target: Target): Split {
  const usable = data.sequences.filter((s) => s.items.length >= 3);
  const shift = target === 'test' ? 1 : 2;
  const cases = (pool: Array<{ seq: Sequence; end: number }>) => (d: Dataset, count: number, seed: number) =>
    rankCases(d, pool, count, seed);
  if (protocol === 'device') {
    const server = usable.filter((s) => !isDeviceUser(s.user));
    const pool = server.map((seq) => ({ seq, end: seq.items.length - 1 }));
    return {
      train: server.map((s) => head(s, s.items.length - 1)),
      validation: cases(pool),
      validationPool: pool,
      testUsers: usable.filter((s) => isDeviceUser(s.user)).map((seq) => ({ seq, end: seq.items.length - shift })),
      modelKey: 'device',
    };
  }
  const pool = usable.map((seq) => ({ seq, end: seq.items.length - 2 }));
  return {
    train: usable.map((s) => head(s, s.items.length - 2)),
    validation: cases(pool),
    validationPool: pool,
    testUsers: usable.map((seq) => ({ seq, end: seq.items.length - shift })),
    modelKey: 'standard',
  };
}

function shuffled<T>(list: readonly T[], random: () => number): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Target at `end` against 99 uniform negatives the user never interacted with. */
export function rankCases(data: Dataset, pool: ReadonlyArray<{ seq: Sequence; end: number }>, count: number, seed: number): RankCase[] {
  const random = seededRandom(seed);
  return shuffled(pool, random)
    .slice(0, count)
    .map(({ seq, end }) => ({
      user: seq.user,
      history: historyOf(data, seq, end),
      now: caseTime(data, seq, end),
      candidates: [itemRef(data, seq.items[end]), ...sampleNegatives(data, seq, 99, random).map((r) => itemRef(data, r))],
    }));
}

/**
 * A first-stage retriever of the kind a shop's server runs: item-to-item co-occurrence within a
 * few steps (next items weigh more), summed over the user's last events, popularity as tie-break.
 */
export class CoocRetriever {
  private readonly next = new Map<number, Map<number, number>>();

  constructor(
    train: readonly Sequence[],
    private readonly pop: Float64Array,
  ) {
    const add = (a: number, b: number, w: number) => {
      let m = this.next.get(a);
      if (!m) this.next.set(a, (m = new Map()));
      m.set(b, (m.get(b) ?? 0) + w);
    };
    for (const s of train) {
      for (let i = 0; i < s.items.length; i++) {
        for (let k = 1; k <= 3 && i + k < s.items.length; k++) {
          add(s.items[i], s.items[i + k], 1 / k);
          add(s.items[i + k], s.items[i], 0.5 / k);
        }
      }
    }
  }

  /** Top `k` item rows for a history (rows, oldest first), excluding the history itself. */
  retrieve(history: ArrayLike<number>, k: number): number[] {
    const scores = new Map<number, number>();
    const seen = new Set<number>(Array.from(history));
    const recent = Array.from(history).slice(-5).reverse();
    recent.forEach((row, age) => {
      const m = this.next.get(row);
      if (!m) return;
      let total = 0;
      for (const w of m.values()) total += w;
      for (const [item, w] of m) if (!seen.has(item)) scores.set(item, (scores.get(item) ?? 0) + (w / total) * 0.7 ** age);
    });
    const maxPop = this.pop.reduce((a, b) => Math.max(a, b), 1);
    const ranked = [...scores].map(([row, s]) => [row, s + (1e-3 * this.pop[row]) / maxPop] as const);
    ranked.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    const out = ranked.slice(0, k).map(([row]) => row);
    if (out.length < k) {
      const taken = new Set(out);
      const byPop = [...this.pop.keys()].slice(1).sort((a, b) => this.pop[b] - this.pop[a] || a - b);
      for (const row of byPop) {
        if (out.length >= k) break;
        if (!seen.has(row) && !taken.has(row)) out.push(row);
      }
    }
    return out;
  }
}

/** Evaluation cases of a protocol: candidates in the "server" order. */
export function evalCases(
  data: Dataset,
  split: Split,
  protocol: Protocol,
  users: number,
  seed: number,
): { cases: EvalCase[]; recall?: number; sampled: number } {
  const pop = popularity(data, split.train);
  const random = seededRandom(seed);
  const chosen = shuffled(split.testUsers, random).slice(0, users);
  const toCase = (seq: Sequence, end: number, rows: number[]): EvalCase => ({
    user: seq.user,
    history: historyOf(data, seq, end).map((h) => ({ itemId: h.itemId, type: h.type, time: h.time, features: h.features })),
    now: caseTime(data, seq, end),
    candidates: rows.map((r) => {
      const ref = itemRef(data, r);
      return ref.features ? { id: ref.id, features: ref.features } : { id: ref.id };
    }),
    target: data.itemIds[seq.items[end] - 1],
  });
  if (protocol === 'retriever') {
    const retriever = new CoocRetriever(split.train, pop);
    const cases: EvalCase[] = [];
    let hits = 0;
    for (const { seq, end } of chosen) {
      const rows = retriever.retrieve(seq.items.subarray(0, end), 100);
      if (!rows.includes(seq.items[end])) continue;
      hits++;
      cases.push(toCase(seq, end, rows));
    }
    return { cases, recall: chosen.length ? hits / chosen.length : 0, sampled: chosen.length };
  }
  const cases = chosen.map(({ seq, end }) => {
    const rows = [seq.items[end], ...sampleNegatives(data, seq, 99, random)];
    rows.sort((a, b) => pop[b] - pop[a] || a - b);
    return toCase(seq, end, rows);
  });
  return { cases, sampled: chosen.length };
}
