/**
 * Metrics of the evaluation: ranking accuracy (leave-one-out, one true item among sampled
 * negatives) and, beyond accuracy, what the lists shown are like over all users: catalogue
 * coverage, novelty and intra-list diversity of the first positions.
 */

export interface RankMetrics {
  'HR@1': number;
  'HR@5': number;
  'HR@10': number;
  'NDCG@5': number;
  'NDCG@10': number;
  MRR: number;
}

export const METRIC_NAMES: ReadonlyArray<keyof RankMetrics> = ['HR@1', 'HR@5', 'HR@10', 'NDCG@5', 'NDCG@10', 'MRR'];

/** 1-based rank of the true item; negatives scoring equal to it rank above it (pessimistic). */
export function rankOf(trueScore: number, negativeScores: ArrayLike<number>): number {
  let rank = 1;
  for (let i = 0; i < negativeScores.length; i++) if (!(negativeScores[i] < trueScore)) rank++;
  return rank;
}

/** Metrics of one case from its rank. */
export function caseMetrics(rank: number): RankMetrics {
  const ndcg = (k: number) => (rank <= k ? 1 / Math.log2(rank + 1) : 0);
  return {
    'HR@1': rank <= 1 ? 1 : 0,
    'HR@5': rank <= 5 ? 1 : 0,
    'HR@10': rank <= 10 ? 1 : 0,
    'NDCG@5': ndcg(5),
    'NDCG@10': ndcg(10),
    MRR: 1 / rank,
  };
}

export function meanMetrics(ranks: readonly number[]): RankMetrics {
  const sum: RankMetrics = { 'HR@1': 0, 'HR@5': 0, 'HR@10': 0, 'NDCG@5': 0, 'NDCG@10': 0, MRR: 0 };
  for (const r of ranks) {
    const m = caseMetrics(r);
    for (const k of METRIC_NAMES) sum[k] += m[k];
  }
  for (const k of METRIC_NAMES) sum[k] = ranks.length ? sum[k] / ranks.length : 0;
  return sum;
}

/** Positions the beyond-accuracy metrics read: what a visitor sees first. */
export const LIST_DEPTH = 10;

export interface ListMetrics {
  /** Share of the catalogue that appears in some user's first 10, 0..1. */
  coverage: number;
  /** Mean popularity rank (1: the bestseller) of the first 10, averaged over users: higher is more novel. */
  novelty: number;
  /** Mean dissimilarity (1 - facet overlap) of the pairs in the first 10, averaged over users; NaN without features. */
  diversity: number;
}

export const LIST_METRIC_NAMES: ReadonlyArray<keyof ListMetrics> = ['coverage', 'novelty', 'diversity'];

/** What the beyond-accuracy metrics know of the catalogue. */
export interface CatalogueFacts {
  /** Items in the catalogue. */
  size: number;
  /** 1-based popularity rank of an item, undefined when unknown. */
  popularityRank(id: string): number | undefined;
  /** Facet overlap of two items (0..1), undefined when either has no features. */
  similarity(a: string, b: string): number | undefined;
}

/** Coverage, novelty and diversity of the first `LIST_DEPTH` items of each user's list. */
export function listMetrics(lists: ReadonlyArray<readonly string[]>, facts: CatalogueFacts): ListMetrics {
  const distinct = new Set<string>();
  let novelty = 0;
  let novelLists = 0;
  let diversity = 0;
  let diverseLists = 0;
  for (const full of lists) {
    const list = full.slice(0, LIST_DEPTH);
    for (const id of list) distinct.add(id);
    const ranks = list.map((id) => facts.popularityRank(id)).filter((r): r is number => r !== undefined);
    if (ranks.length) {
      novelty += ranks.reduce((a, b) => a + b, 0) / ranks.length;
      novelLists++;
    }
    let pairs = 0;
    let apart = 0;
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const s = facts.similarity(list[i], list[j]);
        if (s === undefined) continue;
        apart += 1 - s;
        pairs++;
      }
    }
    if (pairs) {
      diversity += apart / pairs;
      diverseLists++;
    }
  }
  return {
    coverage: facts.size ? distinct.size / facts.size : 0,
    novelty: novelLists ? novelty / novelLists : Number.NaN,
    diversity: diverseLists ? diversity / diverseLists : Number.NaN,
  };
}

/**
 * Paired bootstrap of the mean difference `b - a`: the 95% interval of the lift.
 * `random` makes it reproducible.
 */
export function pairedBootstrap(
  a: readonly number[],
  b: readonly number[],
  random: () => number,
  resamples = 2000,
): { mean: number; low: number; high: number } {
  const n = a.length;
  const diff = a.map((x, i) => b[i] - x);
  const mean = n ? diff.reduce((s, x) => s + x, 0) / n : 0;
  const means: number[] = [];
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += diff[Math.floor(random() * n)];
    means.push(n ? s / n : 0);
  }
  means.sort((x, y) => x - y);
  return { mean, low: means[Math.floor(resamples * 0.025)] ?? 0, high: means[Math.ceil(resamples * 0.975) - 1] ?? 0 };
}
