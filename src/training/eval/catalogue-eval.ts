/**
 * The `catalogue` protocol: a shop whose catalogue the model never saw. Each sampled user's
 * history, cut to its last k events, is replayed through the engine with the items' features;
 * the candidates are the user's next item and 99 uniform items they never touched, in the shop's
 * popularity order (the server knows its bestsellers, not the visitor). Rows: the server's order,
 * a facet-affinity baseline, localrank frozen (the pretrained model alone), localrank learning on
 * the device, and the same exploring (`explore: 0.1`), each at every k, with paired bootstrap
 * intervals, and beside the accuracy the coverage, novelty and diversity of the lists shown.
 */
import type { Candidate } from '../../shared/types';
import { seededRandom } from '../data/random';
import type { Dataset, Sequence } from '../data/dataset';
import { evaluateCases, type EngineFactory, type EvalCase, type Variant } from './eval-core';
import { facetScores, rankBreakingTiesByServer, type FacetOptions } from './facet';
import { LIST_DEPTH, listMetrics, type CatalogueFacts, type ListMetrics } from './list-metrics';
import { caseMetrics, meanMetrics, pairedBootstrap, type RankMetrics } from '../pretrain/metrics';
import { facetSimilarity } from '../../worker/ranking/similarity';
import { itemTokens, type ItemTokens } from '../../worker/ranking/taste';
import { caseTime, sampleNegatives } from '../pretrain/rank';
import { popularity } from '../pretrain/head';

/** History cuts of the table: the last k events (Infinity: all of them). */
export const CUTS = [0, 1, 3, 5, 10, Infinity] as const;

/** The exploration rate the evaluation measures (`RerankOptions.explore`). */
export const EVAL_EXPLORE = 0.1;

export const CATALOGUE_VARIANTS: readonly Variant[] = [
  { name: 'frozen', learn: false },
  { name: 'learning', learn: true, train: true },
  { name: 'without scorer', learn: true, train: true, model: false },
  { name: 'exploring', learn: true, train: true, rerank: { explore: EVAL_EXPLORE } },
];

/**
 * What the beyond-accuracy metrics read of a log's catalogue: its size, each item's rank in
 * `popularity` (the server's bestseller order) and the facet overlap of two items. `id(row)` is how
 * the cases name items.
 */
export function catalogueFacts(data: Dataset, popularity: ArrayLike<number>, id: (row: number) => string): CatalogueFacts {
  const rows = Array.from({ length: data.itemIds.length }, (_, i) => i + 1).sort((a, b) => popularity[b] - popularity[a] || a - b);
  const rank = new Map(rows.map((row, i) => [id(row), i + 1]));
  const rowOf = new Map(rows.map((row) => [id(row), row]));
  const tokens = new Map<string, ItemTokens | null>();
  const tokensOf = (item: string): ItemTokens | null => {
    let t = tokens.get(item);
    if (t === undefined) {
      const features = data.features?.[rowOf.get(item)! - 1];
      tokens.set(item, (t = features ? itemTokens(features) : null));
    }
    return t;
  };
  return {
    size: data.itemIds.length,
    popularityRank: (item) => rank.get(item),
    similarity: (a, b) => {
      const [x, y] = [tokensOf(a), tokensOf(b)];
      return x && y && x.facets.length && y.facets.length ? facetSimilarity(x, y) : undefined;
    },
  };
}

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

/** The facet baseline's first items. */
export function facetTop(c: EvalCase, options: FacetOptions): string[] {
  const scores = facetScores(c.history, c.candidates, c.now, options);
  return c.candidates
    .map((x, i) => [String(x.id), i] as const)
    .sort((a, b) => scores[b[1]] - scores[a[1]] || a[1] - b[1])
    .slice(0, LIST_DEPTH)
    .map(([x]) => x);
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

export interface CutRow extends RankMetrics, ListMetrics {
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
  const facts = catalogueFacts(data, popularity(data, 1), (row) => `${data.name}:${data.itemIds[row - 1]}`);
  const rows: CutRow[] = [];
  const comparisons: Comparison[] = [];
  for (const cut of options.cuts ?? CUTS) {
    const started = performance.now();
    const cases = full.map((f) => cutCase(data, f, cut));
    const results = await evaluateCases(factory, cases, CATALOGUE_VARIANTS);
    const exploring = `localrank learning, exploring ${EVAL_EXPLORE * 100}%`;
    const ranks: Record<string, number[]> = {
      'server order': results.map((r) => r.serverRank),
      'facet affinity': cases.map((c) => facetRank(c, options.facet)),
      'localrank frozen': results.map((r) => r.ranks.frozen),
      'localrank learning': results.map((r) => r.ranks.learning),
      'localrank without the scorer': results.map((r) => r.ranks['without scorer']),
      [exploring]: results.map((r) => r.ranks.exploring),
    };
    const tops: Record<string, string[][]> = {
      'server order': results.map((r) => r.tops.server),
      'facet affinity': cases.map((c) => facetTop(c, options.facet)),
      'localrank frozen': results.map((r) => r.tops.frozen),
      'localrank learning': results.map((r) => r.tops.learning),
      'localrank without the scorer': results.map((r) => r.tops['without scorer']),
      [exploring]: results.map((r) => r.tops.exploring),
    };
    for (const [name, list] of Object.entries(ranks)) rows.push({ name, cut, users: list.length, ...meanMetrics(list), ...listMetrics(tops[name], facts) });
    const ndcg = (name: string) => ranks[name].map((r) => caseMetrics(r)['NDCG@10']);
    const random = seededRandom(options.seed + 1);
    for (const [row, against] of [
      ['localrank learning', 'server order'],
      ['localrank learning', 'facet affinity'],
      ['localrank learning', 'localrank frozen'],
      ['localrank learning', 'localrank without the scorer'],
      ['localrank frozen', 'server order'],
      [exploring, 'localrank learning'],
    ] as const) {
      comparisons.push({ row, against, cut, metric: 'NDCG@10', ...pairedBootstrap(ndcg(against), ndcg(row), random) });
    }
    options.onProgress?.(`k=${cut}: ${cases.length} users in ${((performance.now() - started) / 1000).toFixed(0)}s`);
  }
  return { rows, comparisons, facet: options.facet };
}
