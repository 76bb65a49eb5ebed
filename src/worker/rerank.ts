/**
 * Pure ranking math: the ranking pipeline (`rankCandidates`) and its steps: blending model scores
 * with the server's order, category affinity, diversity (MMR) and reasons. No TensorFlow here:
 * inputs are plain Float32Arrays so this runs in microseconds and is unit-tested alone.
 */
import type { EventType, Reason, RerankOptions } from '../shared/types';

/** MMR is quadratic in the list length, so it reorders only the head of long lists. */
export const DIVERSITY_WINDOW = 100;
/** `explain` attaches reasons to this many leading positions. */
export const EXPLAIN_LIMIT = 100;

/** One of the user's recent interactions, as the pipeline reads it. */
export interface HistoryEntry {
  itemId: string;
  type: EventType;
  /** How a reason names the item, e.g. its title. */
  label: string;
  categories?: readonly string[];
}

/** Everything one ranking needs, computed beforehand by the engine: plain arrays, no tensors. */
export interface RankInput {
  /** The user tower's vector (its length is the model's dimension). */
  user: Float32Array;
  /** The item tower's vector per candidate, in the server's order. */
  rows: readonly Float32Array[];
  /** The server's score per candidate, or null when the server's order is the signal. */
  serverScores: ArrayLike<number> | null;
  /** Weight of the server's order when `options.serverWeight` is not given. */
  serverWeight: number;
  options: RerankOptions;
  /** For `options.affinity`: each candidate's categories. */
  categories?: ReadonlyArray<readonly string[] | undefined>;
  /** For `options.affinity` and `options.explain`: the user's recent interactions, oldest first. */
  history?: readonly HistoryEntry[];
  /** For `options.explain`: the item vectors of `history`, row-major [history.length, dim]. */
  historyRows?: Float32Array;
}

/** A ranking as candidate indices and per-candidate arrays (see `PackedRanking`). */
export interface Ranking {
  /** Candidate indices (server positions), best first. */
  order: Int32Array;
  /** Blended score per candidate index. */
  scores: Float32Array;
  /** The model's score per candidate index. */
  modelScores: Float32Array;
  /** Per candidate index, with `options.explain`: its reason, or null when none was found. */
  reasons?: Array<Reason | null>;
}

/**
 * The ranking pipeline: model scores, blended with the server's signal, mixed with category
 * affinity when asked, ordered (the best `k`, with optional diversity), and reasons for the
 * first positions when asked.
 */
export function rankCandidates(input: RankInput): Ranking {
  const { user, rows, options: opts } = input;
  const dim = user.length;
  const n = rows.length;
  const history = input.history ?? [];
  const modelScores = dotScores(user, rows);
  let blended = blend(modelScores, serverSignalOf(input.serverScores, n), opts.serverWeight ?? input.serverWeight);
  if (opts.affinity) {
    const interactions = history.filter((h) => h.type !== 'remove_from_cart').map((h) => h.categories);
    blended = mix(blended, standardise(categoryAffinity(input.categories ?? [], interactions)), opts.affinity);
  }
  const needUnit = (opts.diversity ?? 0) > 0 || opts.explain;
  const stacked = needUnit ? stackRows(rows, dim) : undefined;
  const center = stacked && meanRow(stacked, dim);
  const unit = stacked && unitRows(stacked, dim, center);
  const indices = order(blended, { k: opts.k, diversity: opts.diversity, unitVectors: unit, dim });
  let reasons: Ranking['reasons'];
  if (opts.explain && unit) {
    const rowsOf = history.length > 0 ? input.historyRows : undefined;
    const vectors: HistoryVectors = {
      events: rowsOf ? history.map(({ itemId, type, label }) => ({ itemId, type, label })) : [],
      unitVectors: rowsOf ? unitRows(rowsOf, dim, center) : new Float32Array(0),
    };
    // Reasons are for what a person sees: the first positions, not the whole list.
    reasons = new Array(n).fill(null);
    for (const i of indices.slice(0, EXPLAIN_LIMIT)) reasons[i] = reasonFor(unit, i * dim, vectors, dim) ?? null;
  }
  return { order: Int32Array.from(indices), scores: blended, modelScores, reasons };
}

/**
 * Server signal per candidate: its score from the column of server scores, or its position when
 * `scores` is null (not every candidate has one). Standardised so the blend weight means the same
 * on any server's scale.
 */
export function serverSignalOf(scores: ArrayLike<number> | null, n: number): Float32Array {
  const raw = new Float32Array(n);
  for (let i = 0; i < n; i++) raw[i] = scores ? scores[i] : -i;
  return standardise(raw);
}

/** (1 - w) * standardised model score + w * standardised server signal. */
export function blend(modelScores: Float32Array, server: Float32Array, serverWeight: number): Float32Array {
  const model = standardise(modelScores);
  const out = new Float32Array(model.length);
  for (let i = 0; i < out.length; i++) out[i] = (1 - serverWeight) * model[i] + serverWeight * server[i];
  return out;
}

/** (1 - w) * a + w * b, elementwise. */
export function mix(a: Float32Array, b: Float32Array, w: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < out.length; i++) out[i] = (1 - w) * a[i] + w * b[i];
  return out;
}

/**
 * Category affinity per candidate: the Jaccard overlap of its categories with each recent
 * interaction's (history oldest first), weighted so the weight halves every `halfLife`
 * interactions back, and normalised to 0..1. Items without categories score 0.
 */
export function categoryAffinity(
  candidates: ReadonlyArray<readonly string[] | undefined>,
  history: ReadonlyArray<readonly string[] | undefined>,
  halfLife = 5,
): Float32Array {
  const out = new Float32Array(candidates.length);
  const recent: { set: Set<string>; weight: number }[] = [];
  let total = 0;
  for (let back = 0; back < history.length; back++) {
    const categories = history[history.length - 1 - back];
    if (!categories?.length) continue;
    const weight = 0.5 ** (back / halfLife);
    recent.push({ set: new Set(categories), weight });
    total += weight;
  }
  if (total === 0) return out;
  candidates.forEach((categories, i) => {
    if (!categories?.length) return;
    let sum = 0;
    for (const { set, weight } of recent) {
      let shared = 0;
      for (const c of categories) if (set.has(c)) shared++;
      sum += (weight * shared) / (categories.length + set.size - shared);
    }
    out[i] = sum / total;
  });
  return out;
}

export function standardise(values: Float32Array): Float32Array {
  const n = values.length;
  if (n === 0) return new Float32Array(0);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i];
  mean /= n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (values[i] - mean) ** 2;
  const std = Math.sqrt(variance / n);
  const out = new Float32Array(n);
  if (std < 1e-9) return out;
  for (let i = 0; i < n; i++) out[i] = (values[i] - mean) / std;
  return out;
}

/**
 * The final order as indices into the candidates. The best `k` by blended score come first (with
 * optional MMR diversity over unit item vectors); the rest keep the server's order. Ties keep the
 * server's order, so equal scores never shuffle a page.
 */
export function order(
  blended: Float32Array,
  options: { k?: number; diversity?: number; unitVectors?: Float32Array; dim?: number } = {},
): number[] {
  const n = blended.length;
  const k = Math.min(options.k ?? n, n);
  const byScore = Array.from({ length: n }, (_, i) => i).sort((a, b) => blended[b] - blended[a] || a - b);
  let head = byScore.slice(0, k);
  const diversity = options.diversity ?? 0;
  if (diversity > 0 && options.unitVectors && options.dim) {
    const window = Math.min(head.length, DIVERSITY_WINDOW);
    head = [...mmr(head.slice(0, window), blended, diversity, options.unitVectors, options.dim), ...head.slice(window)];
  }
  const inHead = new Set(head);
  const tail: number[] = [];
  for (let i = 0; i < n; i++) if (!inHead.has(i)) tail.push(i);
  return head.concat(tail);
}

/** Maximal marginal relevance: trade relevance for dissimilarity to the items already placed. */
function mmr(pool: number[], relevance: Float32Array, lambda: number, unit: Float32Array, dim: number): number[] {
  const picked: number[] = [];
  const maxSim = new Float32Array(pool.length).fill(-1);
  const left = new Set(pool.map((_, j) => j));
  while (left.size > 0) {
    let best = -1;
    let bestValue = -Infinity;
    for (const j of left) {
      const penalty = picked.length === 0 ? 0 : Math.max(0, maxSim[j]);
      const value = (1 - lambda) * relevance[pool[j]] - lambda * penalty * 3;
      if (value > bestValue) {
        bestValue = value;
        best = j;
      }
    }
    left.delete(best);
    picked.push(pool[best]);
    for (const j of left) {
      const sim = dot(unit, pool[j] * dim, unit, pool[best] * dim, dim);
      if (sim > maxSim[j]) maxSim[j] = sim;
    }
  }
  return picked;
}

export interface HistoryVectors {
  events: ReadonlyArray<{ itemId: string; type: EventType; label: string }>;
  /** Unit vectors of those events' items, row-major [events.length, dim]. */
  unitVectors: Float32Array;
}

const VERBS: Record<EventType, string> = {
  impression: 'saw',
  view: 'viewed',
  click: 'viewed',
  add_to_cart: 'added',
  remove_from_cart: 'removed',
  purchase: 'bought',
};

/** The recent interactions whose items are most similar to this candidate. */
export function reasonFor(
  candidateUnit: Float32Array,
  offset: number,
  history: HistoryVectors,
  dim: number,
  top = 2,
): Reason | undefined {
  const scored: { itemId: string; type: EventType; label: string; similarity: number }[] = [];
  const seen = new Set<string>();
  for (let h = history.events.length - 1; h >= 0; h--) {
    const event = history.events[h];
    if (seen.has(event.itemId) || event.type === 'remove_from_cart') continue;
    seen.add(event.itemId);
    const similarity = dot(candidateUnit, offset, history.unitVectors, h * dim, dim);
    scored.push({ ...event, similarity });
  }
  scored.sort((a, b) => b.similarity - a.similarity);
  const drivers = scored.slice(0, top).filter((s) => s.similarity > 0.2);
  if (drivers.length === 0) return undefined;
  const main = drivers[0];
  return {
    text: `Because you ${VERBS[main.type]} ${main.label}`,
    drivenBy: drivers.map(({ itemId, type, similarity }) => ({ itemId, type, similarity: round(similarity) })),
  };
}

/**
 * Rows minus `center`, scaled to unit length, for cosine similarity by dot product. Item vectors
 * share a common direction (popularity), which makes every pair look alike; similarity measured
 * around the candidates' mean tells related items from merely popular ones.
 */
export function unitRows(values: Float32Array, dim: number, center?: Float32Array): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < values.length / dim; r++) {
    const o = r * dim;
    for (let d = 0; d < dim; d++) out[o + d] = values[o + d] - (center ? center[d] : 0);
    const norm = Math.sqrt(dot(out, o, out, o, dim)) || 1;
    for (let d = 0; d < dim; d++) out[o + d] /= norm;
  }
  return out;
}

/** Mean of the rows; too few rows have no meaningful centre, so none is returned for them. */
export function meanRow(values: Float32Array, dim: number, minRows = 10): Float32Array | undefined {
  const rows = values.length / dim;
  if (rows < minRows) return undefined;
  const mean = new Float32Array(dim);
  for (let r = 0; r < rows; r++) for (let d = 0; d < dim; d++) mean[d] += values[r * dim + d];
  for (let d = 0; d < dim; d++) mean[d] /= rows;
  return mean;
}

function dot(a: Float32Array, ao: number, b: Float32Array, bo: number, dim: number): number {
  let s = 0;
  for (let d = 0; d < dim; d++) s += a[ao + d] * b[bo + d];
  return s;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/**
 * The model's score of each item row for a user vector: the scorer's dot product, on the rows
 * already cached as Float32Arrays. For at most 20,000 rows of a few dozen floats this plain loop
 * beats uploading a tensor and reading it back on every backend, so no tensor is made per call.
 */
export function dotScores(user: Float32Array, rows: readonly Float32Array[]): Float32Array {
  const dim = user.length;
  const out = new Float32Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = dot(rows[i], 0, user, 0, dim);
  return out;
}

/** Rows stacked into one row-major [rows.length, dim] array. */
export function stackRows(rows: readonly Float32Array[], dim: number): Float32Array {
  const out = new Float32Array(rows.length * dim);
  for (let i = 0; i < rows.length; i++) out.set(rows[i], i * dim);
  return out;
}
