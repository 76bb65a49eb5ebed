/**
 * The per-user evaluation loop, independent of Node: it only needs something with the engine's
 * `track` / `rerank` / `train` / `close`, so the same code runs in Node (with fake-indexeddb)
 * and in a page (with the real worker engine).
 */
import { LIMITS } from '../../shared/limits';
import { LIST_DEPTH } from './list-metrics';
import type { Candidate, EventType, ItemFeatures, RerankOptions, RerankResult, TrackEvent, TrainReport } from '../../shared/types';

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
  rerank(candidates: readonly Candidate[], options?: RerankOptions): Promise<RerankResult>;
  train(): Promise<TrainReport>;
  close(): Promise<void>;
}

/**
 * One way of running localrank for a user. `learn: false` is the pretrained model alone: the
 * engine records the history but learns nothing from it on the device.
 */
export interface Variant {
  name: string;
  learn: boolean;
  /** False: the engine without its pretrained scorer (taste and head alone). Default true. */
  model?: boolean;
  /** Call `train()` after the replay, before ranking. */
  train?: boolean;
  rerank?: RerankOptions;
}

/** What the browser can run too (the public API has no `learn` switch): ranking before and after `train()`. */
export const PARITY_VARIANTS: readonly Variant[] = [
  { name: 'learning', learn: true },
  { name: 'trained', learn: true, train: true },
];

/**
 * Makes a fresh engine for one user, with an empty store, whose clock reads `clock()`.
 * The evaluation moves the clock through the replayed history.
 */
export type EngineFactory = (user: string, clock: () => number, options: EngineOptions) => Promise<EngineLike>;

export interface EngineOptions {
  learn: boolean;
  /** False: no pretrained scorer, the ranker head without it. Default true. */
  model?: boolean;
  /** Let `train()` fine-tune the scorer's user side for the visitor. Default: the engine's. */
  fineTune?: boolean;
}

export interface CaseResult {
  user: string;
  /** 1-based rank of the target in the server's order. */
  serverRank: number;
  /** 1-based rank of the target per variant name. */
  ranks: Record<string, number>;
  /** The first `LIST_DEPTH` item ids per variant name, and of the server's order (`server`). */
  tops: Record<string, string[]>;
  /** Whether the last `train()` kept its update (null when no variant trains). */
  kept: boolean | null;
  trainMs: number;
}

function rankIn(result: RerankResult, target: string): number {
  const i = result.items.findIndex((x) => x.id === target);
  if (i < 0) throw new Error(`the engine dropped the target ${target}`);
  return i + 1;
}

/** Replays the history through `track` in batches, moving the clock along. */
async function replay(engine: EngineLike, c: EvalCase, setClock: (t: number) => void): Promise<void> {
  const events: TrackEvent[] = c.history.map((h) => ({ type: h.type, itemId: h.itemId, time: h.time, features: h.features }));
  for (let i = 0; i < events.length; i += LIMITS.maxEventsPerBatch) {
    setClock(events[Math.min(events.length, i + LIMITS.maxEventsPerBatch) - 1].time as number);
    await engine.track(events.slice(i, i + LIMITS.maxEventsPerBatch));
  }
  setClock(c.now);
}

/**
 * Replays one user's history through `track` into one engine per `learn` setting, then ranks the
 * candidates once per variant (variants that train do so after those that do not).
 */
export async function evaluateCase(factory: EngineFactory, c: EvalCase, variants: readonly Variant[]): Promise<CaseResult> {
  const ranks: Record<string, number> = {};
  const tops: Record<string, string[]> = { server: c.candidates.slice(0, LIST_DEPTH).map((x) => String(x.id)) };
  let kept: boolean | null = null;
  let trainMs = 0;
  // One engine per setting: variants that share it rank from the same replay.
  const settings = [...new Set(variants.map((v) => `${v.learn}/${v.model !== false}`))];
  for (const setting of settings) {
    const [learn, model] = setting.split('/').map((x) => x === 'true');
    const group = variants.filter((v) => v.learn === learn && (v.model !== false) === model).sort((a, b) => Number(Boolean(a.train)) - Number(Boolean(b.train)));
    let clock = c.history.length > 0 ? c.history[0].time : c.now;
    const engine = await factory(c.user, () => clock, { learn, model });
    try {
      await replay(engine, c, (t) => (clock = t));
      let trained = false;
      for (const variant of group) {
        if (variant.train && !trained) {
          const report = await engine.train();
          kept = report.kept;
          trainMs = report.durationMs;
          trained = true;
        }
        const result = await engine.rerank(c.candidates, variant.rerank);
        ranks[variant.name] = rankIn(result, c.target);
        tops[variant.name] = result.items.slice(0, LIST_DEPTH).map((x) => x.id);
      }
    } finally {
      await engine.close();
    }
  }
  const serverRank = c.candidates.findIndex((x) => String(x.id) === c.target) + 1;
  return { user: c.user, serverRank, ranks, tops, kept, trainMs };
}

/** Moves a case in time so it is asked at `now`; the model only sees time differences. */
export function shiftCase(c: EvalCase, now: number): EvalCase {
  const delta = now - c.now;
  return { ...c, now, history: c.history.map((h) => ({ ...h, time: h.time + delta })) };
}

/** Runs every case in order; `onCase` reports progress. */
export async function evaluateCases(
  factory: EngineFactory,
  cases: readonly EvalCase[],
  variants: readonly Variant[],
  onCase?: (done: number, result: CaseResult) => void,
): Promise<CaseResult[]> {
  const out: CaseResult[] = [];
  for (const c of cases) {
    const r = await evaluateCase(factory, c, variants);
    out.push(r);
    onCase?.(out.length, r);
  }
  return out;
}
