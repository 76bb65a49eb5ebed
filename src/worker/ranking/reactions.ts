/**
 * This visitor's reactions to the lists they were shown: a few per-visitor weights that say how
 * much to trust each group of signals (the server's order, the pretrained model, their taste,
 * items they came back to). They start at zero, the pretrained head as it is, and `train()` fits
 * them on the lists the visitor saw: the item they chose against the items shown above it and
 * skipped. A fit is kept only if it ranks the visitor's most recent choices at least as well.
 */
import type { StoredEvent, TrainReport } from '../../shared/types';
import { PAIR_HISTORY, type PairInteraction } from './pairs';
import { SIGNALS, SIGNAL_COUNT, computeSignals, type HeadWeights, type SignalName } from './signals';
import { NO_TOKENS, Taste, itemTokens, tasteWeight, type ItemTokens, type TasteProfile } from './taste';

/** Signal groups whose trust is learned per visitor. */
export const REACTION_GROUPS = {
  server: ['serverLin', 'serverLog'],
  model: ['model'],
  taste: ['facetAffinity', 'facetMax', 'facetSum', 'lastOverlap', 'facetSeen', 'wordAffinity', 'facetAffinityConfident', 'lastOverlapConfident', 'facetAffinityXserver'],
  repeat: ['repeat'],
} as const satisfies Record<string, readonly SignalName[]>;

export type ReactionGroup = keyof typeof REACTION_GROUPS;
export const REACTION_NAMES = Object.keys(REACTION_GROUPS) as ReactionGroup[];

/** Per-group trust offsets: a group's head weights are multiplied by (1 + offset); `repeat` is added instead. */
export type Reactions = Record<ReactionGroup, number>;

export const NO_REACTIONS: Reactions = { server: 0, model: 0, taste: 0, repeat: 0 };

/** The reactions as stored beside the events (the `weights` record), with the scorer's adaptation when there is one. */
export function reactionsToWeights(reactions: Reactions, adaptation: Float32Array | null = null): Record<string, { shape: number[]; values: Float32Array }> {
  const out: Record<string, { shape: number[]; values: Float32Array }> = { reactions: { shape: [REACTION_NAMES.length], values: Float32Array.from(REACTION_NAMES, (g) => reactions[g]) } };
  if (adaptation) out.adaptation = { shape: [adaptation.length], values: Float32Array.from(adaptation) };
  return out;
}

/** Largest |value| of a stored adaptation: a fit is pulled towards zero and never gets near. */
const ADAPTATION_LIMIT = 100;

/** The scorer's adaptation from a stored record: null when there is none, or it does not read as one. */
export function adaptationFromWeights(tensors: unknown): Float32Array | null {
  const values = (tensors as { adaptation?: { values?: unknown } } | null | undefined)?.adaptation?.values;
  if (!(values instanceof Float32Array) || values.length === 0 || values.length > 4096) return null;
  for (const v of values) if (!(Math.abs(v) <= ADAPTATION_LIMIT)) return null;
  return values;
}

/** Reactions from a stored record; null when it does not read as reactions (another format, damage). */
export function reactionsFromWeights(tensors: unknown): Reactions | null {
  const entry = (tensors as { reactions?: { shape?: unknown; values?: unknown } } | null | undefined)?.reactions;
  const values = entry?.values;
  if (!(values instanceof Float32Array) || values.length !== REACTION_NAMES.length) return null;
  const out = { ...NO_REACTIONS };
  for (let i = 0; i < REACTION_NAMES.length; i++) {
    if (!(Math.abs(values[i]) <= LIMIT)) return null;
    out[REACTION_NAMES[i]] = values[i];
  }
  return out;
}

/** Offsets stay within this range: a visitor can turn a group off or double it, no more. */
const LIMIT = 1;
/** Weight given to `repeat` per unit of its offset, since the head has no weight of its own for it. */
const REPEAT_SCALE = 4;

/** The head's weights adjusted by this visitor's reactions. */
export function adjustedHead(head: HeadWeights, reactions: Reactions): HeadWeights {
  const out: Record<string, number> = { ...head };
  for (const group of REACTION_NAMES) {
    for (const name of REACTION_GROUPS[group]) {
      out[name] = group === 'repeat' ? (head[name] ?? 0) + REPEAT_SCALE * reactions.repeat : (head[name] ?? 0) * (1 + reactions[group]);
    }
  }
  return out as HeadWeights;
}

/** A list the visitor was shown and the item they chose from it. */
export interface Page {
  /** Signals of the shown items, in the server's order. */
  signals: Float32Array;
  size: number;
  /** Index of the chosen item. */
  chosen: number;
  /** Indices of the items shown above it, or all shown ones when nothing else is known. */
  skipped: number[];
  /** The shown items, in the server's order, and their tokens (what a pretrained scorer reads too). */
  ids: string[];
  tokens: ItemTokens[];
  /** The visitor's interactions before the choice, oldest first, and their taste then. */
  history: PairInteraction[];
  profile: TasteProfile;
}

/** Gap after which an impression no longer belongs to the page a later choice was made on. */
const PAGE_WINDOW_MS = 30 * 60_000;

interface Shown {
  position: number;
  time: number;
  tokens: ItemTokens;
}

/**
 * The lists of the visitor's history: every positive interaction with a `listId` whose list had
 * impressions (with positions) shortly before it. A list's view ends with a choice from it, or when
 * a position is shown again (the list was rendered anew). Each page's signals use the taste as it
 * was just before the choice, so fitting on them is honest about what was known then.
 */
export function pagesOf(events: readonly StoredEvent[], tokensOf: (itemId: string) => ItemTokens | undefined): Page[] {
  const pages: Page[] = [];
  const taste = new Taste();
  const history: PairInteraction[] = [];
  const views = new Map<string, Map<string, Shown>>();
  for (const e of events) {
    const tokens = e.features ? itemTokens(e.features) : (tokensOf(e.itemId) ?? NO_TOKENS);
    if (e.type === 'impression' && e.listId !== undefined && e.position !== undefined) {
      let view = views.get(e.listId);
      if (!view || [...view.values()].some((s) => s.position === e.position && s.time < e.time)) views.set(e.listId, (view = new Map()));
      view.set(e.itemId, { position: e.position, time: e.time, tokens });
      continue;
    }
    const view = e.listId !== undefined ? views.get(e.listId) : undefined;
    if (view && tasteWeight(e) > 0) {
      const page = [...view].filter(([, s]) => e.time - s.time <= PAGE_WINDOW_MS).sort((a, b) => a[1].position - b[1].position);
      const chosen = page.findIndex(([id]) => id === e.itemId);
      if (chosen >= 0 && page.length > 1) {
        const ids = page.map(([id]) => id);
        const shownTokens = page.map(([, s]) => s.tokens);
        const profile = taste.profile();
        const signals = computeSignals({ tokens: shownTokens, ids, profile });
        const skipped = chosen > 0 ? range(chosen) : range(page.length).filter((i) => i !== chosen);
        pages.push({ signals, size: page.length, chosen, skipped, ids, tokens: shownTokens, history: history.slice(-PAIR_HISTORY), profile });
        views.delete(e.listId as string);
      }
    }
    taste.observe(e, tokens);
    const weight = tasteWeight(e);
    if (weight > 0) history.push({ itemId: e.itemId, tokens, weight });
  }
  return pages;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** Softmax cross-entropy of each page's choice among itself and its skipped items. */
function pageLoss(page: Page, head: HeadWeights, reactions: Reactions, grad?: Reactions): number {
  const w = adjustedHead(head, reactions);
  const members = [page.chosen, ...page.skipped];
  const scores = members.map((i) => dotRow(page.signals, i, w));
  const max = Math.max(...scores);
  const exp = scores.map((s) => Math.exp(s - max));
  const z = exp.reduce((a, b) => a + b, 0);
  if (grad) {
    members.forEach((i, j) => {
      const coefficient = exp[j] / z - (j === 0 ? 1 : 0);
      for (const group of REACTION_NAMES) {
        for (const name of REACTION_GROUPS[group]) {
          const x = page.signals[i * SIGNAL_COUNT + SIGNALS.indexOf(name)];
          grad[group] += coefficient * x * (group === 'repeat' ? REPEAT_SCALE : head[name] ?? 0);
        }
      }
    });
  }
  return -Math.log(exp[0] / z);
}

function dotRow(signals: Float32Array, row: number, w: HeadWeights): number {
  let s = 0;
  for (let f = 0; f < SIGNAL_COUNT; f++) s += signals[row * SIGNAL_COUNT + f] * (w[SIGNALS[f]] ?? 0);
  return s;
}

/** 1 / rank of the choice among its page's shown items (ties count against it). */
function reciprocalRank(page: Page, head: HeadWeights, reactions: Reactions): number {
  const w = adjustedHead(head, reactions);
  const chosen = dotRow(page.signals, page.chosen, w);
  let rank = 1;
  for (let i = 0; i < page.size; i++) if (i !== page.chosen && dotRow(page.signals, i, w) >= chosen) rank++;
  return 1 / rank;
}

/** A fit's outcome: the offsets to use (the current ones when rejected) and the report's figures. */
export interface ReactionFit extends Pick<TrainReport, 'steps' | 'lossBefore' | 'lossAfter' | 'holdoutBefore' | 'holdoutAfter' | 'kept' | 'reason'> {
  reactions: Reactions;
  pages: number;
}

/** Pages needed before fitting: a few to learn from and at least two to check the fit on. */
export const MIN_PAGES = 5;

/**
 * Fits the offsets by gradient descent with an L2 pull towards zero, holding out the most recent
 * fifth of the pages (at least two) to check the fit: it is kept only if those choices rank at least
 * as well on average as with the current offsets, and better on at least one.
 */
export function fitReactions(pages: readonly Page[], head: HeadWeights, current: Reactions, options: { steps?: number; learningRate?: number; l2?: number } = {}): ReactionFit {
  const steps = options.steps ?? 100;
  const learningRate = options.learningRate ?? 0.1;
  const l2 = options.l2 ?? 0.5;
  const base = { reactions: current, lossBefore: 0, lossAfter: 0, holdoutBefore: 0, holdoutAfter: 0, kept: false, pages: pages.length, steps: 0 };
  if (pages.length < MIN_PAGES) return { ...base, reason: `too little data: ${pages.length} lists with a choice, need ${MIN_PAGES}` };
  const holdout = Math.max(2, Math.round(pages.length * 0.2));
  const train = pages.slice(0, pages.length - holdout);
  const test = pages.slice(pages.length - holdout);
  const meanLoss = (r: Reactions) => train.reduce((s, p) => s + pageLoss(p, head, r), 0) / train.length;
  const meanRR = (r: Reactions) => test.reduce((s, p) => s + reciprocalRank(p, head, r), 0) / test.length;
  let fitted: Reactions = { ...NO_REACTIONS };
  const lossBefore = meanLoss(current);
  for (let step = 0; step < steps; step++) {
    const grad: Reactions = { ...NO_REACTIONS };
    for (const page of train) pageLoss(page, head, fitted, grad);
    const next = { ...fitted };
    for (const group of REACTION_NAMES) {
      const g = grad[group] / train.length + l2 * fitted[group];
      next[group] = Math.max(-LIMIT, Math.min(LIMIT, fitted[group] - learningRate * g));
    }
    fitted = next;
  }
  const holdoutBefore = meanRR(current);
  const holdoutAfter = meanRR(fitted);
  const better = test.some((p) => reciprocalRank(p, head, fitted) > reciprocalRank(p, head, current));
  const kept = holdoutAfter >= holdoutBefore && better;
  const summary = `held-out MRR ${holdoutBefore.toFixed(3)} -> ${holdoutAfter.toFixed(3)} on ${holdout} recent lists`;
  return {
    reactions: kept ? fitted : current,
    lossBefore,
    lossAfter: meanLoss(fitted),
    holdoutBefore,
    holdoutAfter,
    kept,
    reason: kept ? `kept: ${summary}` : `rejected: ${summary}, not better`,
    pages: pages.length,
    steps,
  };
}
