/**
 * The per-user evaluation loop, independent of Node: it only needs something with the engine's
 * `track` / `rerank` / `train` / `close`, so the same code runs in Node (with fake-indexeddb)
 * and in a page (with the real worker engine).
 */
import { LIMITS } from '../shared/limits';
import type { Candidate, EventType, ItemFeatures, RerankResult, TrackEvent, TrainReport } from '../shared/types';

/** One user's replay and test: history events (oldest first), then the candidates to rank. */
export interface EvalCase {
  user: string;
  history: Array<{ itemId: string; type: EventType; time: number; features?: ItemFeatures }>;
  /** When the ranking is asked for, ms. */
  now: number;
  /** In the server's order (popularity or the retriever's order); contains the target. */
  candidates: Candidate[];
  target: string;
}

/** What the evaluation needs from an engine (`Engine` in Node, the worker proxy in a page). */
export interface EngineLike {
  track(events: readonly TrackEvent[]): Promise<unknown>;
  rerank(candidates: readonly Candidate[], options: { serverWeight: number }): Promise<RerankResult>;
  train(): Promise<TrainReport>;
  close(): Promise<void>;
}

/**
 * Makes a fresh engine for one user, with an empty store, whose clock reads `clock()`.
 * The evaluation moves the clock through the replayed history.
 */
export type EngineFactory = (user: string, clock: () => number) => Promise<EngineLike>;

export interface CaseResult {
  user: string;
  /** 1-based rank of the target: in the server's order, by the frozen model, after fine-tuning. */
  serverRank: number;
  frozenRank: number;
  tunedRank: number | null;
  /** After fine-tuning, blended with the server's order at `blendWeight` (the product's default use). */
  blendRank: number | null;
  kept: boolean | null;
  trainMs: number;
}

function rankIn(result: RerankResult, target: string): number {
  const i = result.items.findIndex((x) => x.id === target);
  if (i < 0) throw new Error(`the engine dropped the target ${target}`);
  return i + 1;
}

/**
 * Replays one user's history through `track`, ranks with the frozen model, fine-tunes through
 * `train()` and ranks again (both with serverWeight 0, so only the model orders).
 */
export async function evaluateCase(factory: EngineFactory, c: EvalCase, fineTune: boolean, blendWeight = 0.3): Promise<CaseResult> {
  let clock = c.history.length > 0 ? c.history[0].time : c.now;
  const engine = await factory(c.user, () => clock);
  try {
    const events: TrackEvent[] = c.history.map((h) => ({ type: h.type, itemId: h.itemId, time: h.time, features: h.features }));
    for (let i = 0; i < events.length; i += LIMITS.maxEventsPerBatch) {
      clock = events[Math.min(events.length, i + LIMITS.maxEventsPerBatch) - 1].time as number;
      await engine.track(events.slice(i, i + LIMITS.maxEventsPerBatch));
    }
    clock = c.now;
    const serverRank = c.candidates.findIndex((x) => String(x.id) === c.target) + 1;
    const frozenRank = rankIn(await engine.rerank(c.candidates, { serverWeight: 0 }), c.target);
    if (!fineTune) return { user: c.user, serverRank, frozenRank, tunedRank: null, blendRank: null, kept: null, trainMs: 0 };
    const report = await engine.train();
    const tunedRank = rankIn(await engine.rerank(c.candidates, { serverWeight: 0 }), c.target);
    const blendRank = rankIn(await engine.rerank(c.candidates, { serverWeight: blendWeight }), c.target);
    return { user: c.user, serverRank, frozenRank, tunedRank, blendRank, kept: report.kept, trainMs: report.durationMs };
  } finally {
    await engine.close();
  }
}

/** Runs every case in order; `onCase` reports progress. */
export async function evaluateCases(
  factory: EngineFactory,
  cases: readonly EvalCase[],
  options: { fineTune?: boolean; blendWeight?: number; onCase?: (done: number, result: CaseResult) => void } = {},
): Promise<CaseResult[]> {
  const out: CaseResult[] = [];
  for (const c of cases) {
    const r = await evaluateCase(factory, c, options.fineTune ?? true, options.blendWeight);
    out.push(r);
    options.onCase?.(out.length, r);
  }
  return out;
}
