/**
 * The `catalogue` protocol: a shop whose catalogue the model never saw. Each sampled user's
 * history, cut to its last k events, is replayed through the engine with the items' features;
 * the candidates are the user's next item and 99 uniform items they never touched, in the shop's
 * popularity order (the server knows its bestsellers, not the visitor). Rows: the server's order,
 * a facet-affinity baseline, localrank frozen (the pretrained model alone) and localrank learning
 * on the device, each at every k, with paired bootstrap intervals.
 */
import type { Candidate } from '../shared/types';
import { seededRandom } from './random';
import type { Dataset, Sequence } from './dataset';
import { evaluateCases, type EngineFactory, type EvalCase, type Variant } from './eval-core';
import { facetScores, rankBreakingTiesByServer, type FacetOptions } from './facet';
import { caseMetrics, meanMetrics, pairedBootstrap, type RankMetrics } from './metrics';
import { caseTime, sampleNegatives } from './rank';
import { popularity } from './head';

/** History cuts of the table: the last k events (Infinity: all of them). */
export const CUTS = [0, 1, 3, 5, 10, Infinity] as const;

export const CATALOGUE_VARIANTS: readonly Variant[] = [
  { name: 'frozen', learn: false },
  { name: 'learning', learn: true, train: true },
];

export interface FullCase {
  seq: Sequence;
  /** Index of the target in the sequence. */
  end: number;
  /** Candidate rows in the server's order. */
  rows: number[];
}

/** The users' next items at `end(seq)` with 99 uniform negatives each, in popularity order. */
export function fullCases(data: Dataset, users: number, seed: number, end: (s: Sequence) => number): FullCase[] {
  const random = seededRandom(seed);
  const pop = popularity(data, 1);
  const pool = data.sequences.filter((s) => end(s) >= 0);
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, users).map((seq) => {
    const e = end(seq);
    const rows = [seq.items[e], ...sampleNegatives(data, seq, 99, random)].sort((a, b) => pop[b] - pop[a] || a - b);
    return { seq, end: e, rows };
  });
}

/**
 * The case with its history cut to the last `cut` events. Item ids are prefixed with the dataset's
 * name, like its attribute tokens: logs number their items from 1, and `"4"` of one log must not
 * pass for the model's own item `"4"`.
 */
export function cutCase(data: Dataset, full: FullCase, cut: number): EvalCase {
  const { seq, end, rows } = full;
  const id = (row: number) => `${data.name}:${data.itemIds[row - 1]}`;
  const history = [];
  for (let i = Math.max(0, end - cut); i < end; i++) {
    const row = seq.items[i];
    history.push({ itemId: id(row), type: data.eventType, time: seq.times[i], features: data.features?.[row - 1] });
  }
  const candidates: Candidate[] = rows.map((r) => {
    const features = data.features?.[r - 1];
    return features ? { id: id(r), features } : { id: id(r) };
  });
  return { user: seq.user, history, now: caseTime(data, seq, end), candidates, target: id(seq.items[end]) };
}

/** Rank of the target by the facet baseline. */
export function facetRank(c: EvalCase, options: FacetOptions): number {
  const scores = facetScores(c.history, c.candidates, c.now, options);
  return rankBreakingTiesByServer(scores, c.candidates.findIndex((x) => String(x.id) === c.target));
}

/** The facet baseline's half-life with the best mean NDCG@10 over the cuts, on validation items. */
export function tuneFacet(data: Dataset, users: number, seed: number): FacetOptions {
  const cases = fullCases(data, users, seed, (s) => s.items.length - 2);
  let best: FacetOptions = { halfLifeDays: 30 };
  let bestScore = -1;
  for (const halfLifeDays of [0.5, 1, 3, 7, 30, 365]) {
    let score = 0;
    for (const cut of CUTS.slice(1)) {
      for (const full of cases) score += caseMetrics(facetRank(cutCase(data, full, cut), { halfLifeDays }))['NDCG@10'];
    }
    if (score > bestScore) {
      bestScore = score;
      best = { halfLifeDays };
    }
  }
  return best;
}

export interface CutRow extends RankMetrics {
  name: string;
  cut: number;
  users: number;
}

export interface Comparison {
  row: string;
  against: string;
  cut: number;
  metric: 'NDCG@10';
  mean: number;
  low: number;
  high: number;
}

export interface CatalogueReport {
  rows: CutRow[];
  comparisons: Comparison[];
  facet: FacetOptions;
}

/** Runs the whole table: every cut, every row, the intervals. */
export async function runCatalogue(
  data: Dataset,
  factory: EngineFactory,
  options: { users: number; seed: number; facet: FacetOptions; cuts?: readonly number[]; onProgress?: (line: string) => void },
): Promise<CatalogueReport> {
  const full = fullCases(data, options.users, options.seed, (s) => s.items.length - 1);
  const rows: CutRow[] = [];
  const comparisons: Comparison[] = [];
  for (const cut of options.cuts ?? CUTS) {
    const started = performance.now();
    const cases = full.map((f) => cutCase(data, f, cut));
    const results = await evaluateCases(factory, cases, CATALOGUE_VARIANTS);
    const ranks: Record<string, number[]> = {
      'server order': results.map((r) => r.serverRank),
      'facet affinity': cases.map((c) => facetRank(c, options.facet)),
      'localrank frozen': results.map((r) => r.ranks.frozen),
      'localrank learning': results.map((r) => r.ranks.learning),
    };
    for (const [name, list] of Object.entries(ranks)) rows.push({ name, cut, users: list.length, ...meanMetrics(list) });
    const ndcg = (name: string) => ranks[name].map((r) => caseMetrics(r)['NDCG@10']);
    const random = seededRandom(options.seed + 1);
    for (const [row, against] of [
      ['localrank learning', 'server order'],
      ['localrank learning', 'facet affinity'],
      ['localrank learning', 'localrank frozen'],
      ['localrank frozen', 'server order'],
    ] as const) {
      comparisons.push({ row, against, cut, metric: 'NDCG@10', ...pairedBootstrap(ndcg(against), ndcg(row), random) });
    }
    options.onProgress?.(`k=${cut}: ${cases.length} users in ${((performance.now() - started) / 1000).toFixed(0)}s`);
  }
  return { rows, comparisons, facet: options.facet };
}
