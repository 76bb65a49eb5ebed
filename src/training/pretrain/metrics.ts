/**
 * Ranking accuracy (leave-one-out, one true item among sampled negatives), as pretraining validates
 * and the evaluation reports it, and the paired bootstrap of a lift. What the lists shown are like
 * beyond accuracy is in `../eval/list-metrics.ts`.
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
