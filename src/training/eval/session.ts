/**
 * The `session` protocol: each sampled user's history replayed as the pages a shop shows. Before
 * each next item, the server's list (that item and 19 items the user never touched, in the shop's
 * bestseller order) is reranked by the engine and shown: its impressions are tracked with the list
 * and the positions the engine gave them, as the script tag records them, then the visitor clicks
 * the item. The last item is the test, ranked among 99 as in the catalogue protocol. Variants that
 * train call `train()` every 5 pages (as `autoTrain` does) and before the test. Rows: the server's order, the facet
 * baseline, and the engine without `train()`, with `train()` but without fine-tuning the scorer's
 * user side, and with it, with paired intervals.
 */
import type { Candidate, TrackEvent } from '../../shared/types';
import type { Dataset } from '../data/dataset';
import { seededRandom } from '../data/random';
import { caseMetrics, meanMetrics, pairedBootstrap, type RankMetrics } from '../pretrain/metrics';
import { popularity } from '../pretrain/head';
import { sampleNegatives } from '../pretrain/rank';
import { fullCases, cutCase, facetRank, type Comparison } from './catalogue-eval';
import type { EngineFactory, EngineLike } from './eval-core';
import type { FacetOptions } from './facet';

/** Items on each page the shop shows: the next item and this many others. */
export const PAGE_SIZE = 20;
/** Time the visitor spends on a page before clicking, ms. */
const DWELL_MS = 5_000;
/** Variants that train do so every this many pages, as `autoTrain` does after 5 new interactions. */
const TRAIN_EVERY = 5;

export interface SessionPage {
  listId: string;
  time: number;
  /** In the server's order. */
  candidates: Candidate[];
  chosen: string;
}

export interface SessionCase {
  user: string;
  /** The first item, reached without a list (from a search or a link). */
  first: { itemId: string; time: number; candidates: Candidate[] };
  pages: SessionPage[];
  /** The test: the last item among 99 in the server's order. */
  test: { time: number; candidates: Candidate[]; target: string };
  /** Every interaction before the test, for the facet baseline. */
  history: Array<{ itemId: string; type: 'click'; time: number; features?: Candidate['features'] }>;
}

export interface SessionVariant {
  name: string;
  /** Call `train()` every `TRAIN_EVERY` pages and before the test. */
  train: boolean;
  /** Let `train()` fine-tune the scorer's user side (the engine's `fineTune`). */
  fineTune: boolean;
}

export const SESSION_VARIANTS: readonly SessionVariant[] = [
  { name: 'localrank, no train()', train: false, fineTune: false },
  { name: 'localrank, train() without fine-tuning', train: true, fineTune: false },
  { name: 'localrank, train() with fine-tuning', train: true, fineTune: true },
];

/** The pages of the users of the catalogue protocol's sample (same users, same test lists). */
export function sessionCases(data: Dataset, users: number, seed: number): SessionCase[] {
  const random = seededRandom(seed + 11);
  const pop = popularity(data, 1);
  const id = (row: number) => `${data.name}:${data.itemIds[row - 1]}`;
  const candidate = (row: number): Candidate => {
    const features = data.features?.[row - 1];
    return features ? { id: id(row), features } : { id: id(row) };
  };
  const byPopularity = (rows: number[]) => rows.sort((a, b) => pop[b] - pop[a] || a - b).map(candidate);
  return fullCases(data, users, seed, (s) => s.items.length - 1).map((full) => {
    const { seq, end } = full;
    const test = cutCase(data, full, Infinity);
    const pages: SessionPage[] = [];
    for (let t = 1; t < end; t++) {
      const rows = byPopularity([seq.items[t], ...sampleNegatives(data, seq, PAGE_SIZE - 1, random)]);
      pages.push({ listId: `page-${t}`, time: seq.times[t], candidates: rows, chosen: id(seq.items[t]) });
    }
    return {
      user: seq.user,
      first: { itemId: id(seq.items[0]), time: seq.times[0], candidates: [candidate(seq.items[0])] },
      pages,
      test: { time: test.now, candidates: test.candidates, target: test.target },
      history: test.history.map((h) => ({ itemId: h.itemId, type: 'click', time: h.time, features: h.features })),
    };
  });
}

/** Replays one user's pages through an engine; returns the test's rank and the pages' ranks. */
async function replaySession(engine: EngineLike, c: SessionCase, setClock: (t: number) => void, variant: SessionVariant): Promise<{ rank: number; pageRanks: number[] }> {
  setClock(c.first.time);
  await engine.track([{ type: 'click', itemId: c.first.itemId, time: c.first.time, features: c.first.candidates[0].features }]);
  const pageRanks: number[] = [];
  for (const page of c.pages) {
    setClock(page.time);
    const shown = (await engine.rerank(page.candidates)).items.map((x) => x.id);
    const features = new Map(page.candidates.map((x) => [String(x.id), x.features]));
    const impressions: TrackEvent[] = shown.map((itemId, position) => ({ type: 'impression', itemId, listId: page.listId, position, time: page.time, features: features.get(itemId) }));
    await engine.track(impressions);
    const position = shown.indexOf(page.chosen);
    pageRanks.push(position + 1);
    setClock(page.time + DWELL_MS);
    await engine.track([{ type: 'click', itemId: page.chosen, listId: page.listId, position, time: page.time + DWELL_MS, dwellMs: DWELL_MS, features: features.get(page.chosen) }]);
    if (variant.train && pageRanks.length % TRAIN_EVERY === 0) await engine.train();
  }
  setClock(c.test.time);
  if (variant.train) await engine.train();
  const ranked = (await engine.rerank(c.test.candidates)).items;
  const rank = ranked.findIndex((x) => x.id === c.test.target) + 1;
  if (rank === 0) throw new Error(`the engine dropped the target ${c.test.target}`);
  return { rank, pageRanks };
}

export interface SessionRow extends RankMetrics {
  name: string;
  users: number;
  /** Mean reciprocal rank of the clicked item on the pages as the row showed them (the server's order for the baselines). */
  pageMRR: number;
}

export interface SessionReport {
  rows: SessionRow[];
  comparisons: Comparison[];
  pages: number;
}

export async function runSession(
  data: Dataset,
  factory: EngineFactory,
  options: { users: number; seed: number; facet: FacetOptions; onProgress?: (line: string) => void },
): Promise<SessionReport> {
  const cases = sessionCases(data, options.users, options.seed);
  const ranks: Record<string, number[]> = {};
  const pageMRR: Record<string, number> = {};
  const mrr = (all: number[][]) => {
    const flat = all.flat();
    return flat.reduce((s, r) => s + 1 / r, 0) / Math.max(1, flat.length);
  };
  ranks['server order'] = cases.map((c) => c.test.candidates.findIndex((x) => String(x.id) === c.test.target) + 1);
  pageMRR['server order'] = mrr(cases.map((c) => c.pages.map((p) => p.candidates.findIndex((x) => String(x.id) === p.chosen) + 1)));
  ranks['facet affinity'] = cases.map((c) => facetRank({ user: c.user, history: c.history, now: c.test.time, candidates: c.test.candidates, target: c.test.target }, options.facet));
  pageMRR['facet affinity'] = pageMRR['server order'];
  for (const variant of SESSION_VARIANTS) {
    const started = performance.now();
    const list: number[] = [];
    const pages: number[][] = [];
    for (const c of cases) {
      let clock = c.first.time;
      const engine = await factory(c.user, () => clock, { learn: true, fineTune: variant.fineTune });
      try {
        const result = await replaySession(engine, c, (t) => (clock = t), variant);
        list.push(result.rank);
        pages.push(result.pageRanks);
      } finally {
        await engine.close();
      }
    }
    ranks[variant.name] = list;
    pageMRR[variant.name] = mrr(pages);
    options.onProgress?.(`${variant.name}: ${cases.length} users in ${((performance.now() - started) / 1000).toFixed(0)}s`);
  }
  const rows: SessionRow[] = Object.entries(ranks).map(([name, list]) => ({ name, users: list.length, ...meanMetrics(list), pageMRR: pageMRR[name] }));
  const ndcg = (name: string) => ranks[name].map((r) => caseMetrics(r)['NDCG@10']);
  const random = seededRandom(options.seed + 1);
  const [noTrain, trained, fineTuned] = SESSION_VARIANTS.map((v) => v.name);
  const comparisons: Comparison[] = [];
  for (const [row, against] of [
    [fineTuned, trained],
    [trained, noTrain],
    [fineTuned, noTrain],
    [fineTuned, 'server order'],
    [fineTuned, 'facet affinity'],
  ] as const) {
    comparisons.push({ row, against, cut: Infinity, metric: 'NDCG@10', ...pairedBootstrap(ndcg(against), ndcg(row), random) });
  }
  return { rows, comparisons, pages: cases.reduce((s, c) => s + c.pages.length, 0) };
}
