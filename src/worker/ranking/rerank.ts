/**
 * `src/worker/ranking/`: the ranking, pure functions over plain arrays: the visitor's taste and its
 * interned tokens, the relational signals, the per-visitor reactions, this pipeline, the shop's
 * rules, exploration and item similarity. It imports from `../model/` only (the content features);
 * the engine calls it. This file is its entry.
 *
 * The ranking pipeline as one pure function (`rankCandidates`): the relational signals of every
 * candidate, the ranker head's score, the order (the best `k`, with optional diversity and
 * exploration), the shop's rules (rules.ts) and reasons for the first positions. No TensorFlow here: inputs are plain arrays, computed by the
 * engine, so this runs in microseconds and is unit-tested alone.
 */
import type { EventType, ItemFeatures, Reason, RerankOptions } from '../../shared/types';
import { EXPLORE_WINDOW, explore, uncertainty } from './explore';
import { applyRules, hasRules, type RuleResult } from './rules';
import { SIGNALS, computeSignals, headScores, type HeadWeights, type SignalName } from './signals';
import { facetSimilarity } from './similarity';
import type { ItemTokens, TasteProfile } from './taste';

/** MMR is quadratic in the list length, so it reorders only the head of long lists. */
export const DIVERSITY_WINDOW = 100;
/** `explain` attaches reasons to this many leading positions. */
export const EXPLAIN_LIMIT = 100;
/** A past interaction explains a candidate when their facets overlap at least this much. */
const REASON_SIMILARITY = 0.2;

/** One of the visitor's recent interactions, as reasons read it. */
export interface HistoryEntry {
  itemId: string;
  type: EventType;
  /** How a reason names the item, e.g. its title. */
  label: string;
  tokens: ItemTokens;
}

/** Everything one ranking needs, gathered beforehand by the engine. */
export interface RankInput {
  ids: readonly string[];
  /** Each candidate's tokens, in input order. */
  tokens: readonly ItemTokens[];
  /** The server's score per candidate, or null when the input order is the server's order. */
  serverScores: ArrayLike<number> | null;
  profile: TasteProfile;
  /** The pretrained model's scores and how much each can be trusted; absent when it knows nothing. */
  model?: { scores: Float32Array; evidence: Float32Array };
  head: HeadWeights;
  options: RerankOptions;
  /** For `options.explain`: the visitor's recent interactions, oldest first. */
  history?: readonly HistoryEntry[];
  /** For rules that name a field: each candidate's features, by index. */
  features?: (index: number) => ItemFeatures | undefined;
  /** For `options.explore`: whether the visitor was ever shown the item (or used it). */
  shown?: (id: string) => boolean;
}

/** A ranking as candidate indices and per-candidate arrays (see `PackedRanking`). */
export interface Ranking {
  /** Candidate indices, best first. */
  order: Int32Array;
  /** Final score per candidate index. */
  scores: Float32Array;
  /** The model's raw score per candidate index; NaN where the model had no say. */
  modelScores: Float32Array;
  /** Per candidate index, with `options.explain`: its reason, or null when none was found. */
  reasons?: Array<Reason | null>;
  /** Candidates an `exclude` rule left out of `order`, with the entry that matched; absent when none. */
  excluded?: RuleResult['excluded'];
}

/** What the rules read besides the order: the candidates, their features, the options. */
export interface RuleContext {
  ids: readonly string[];
  features?: (index: number) => ItemFeatures | undefined;
  options: RerankOptions;
}

/** A reason shown for an exploration slot. */
export const EXPLORE_REASON: Reason = { text: 'Something new for you', drivenBy: [] };

const SERVER_SIGNALS: readonly SignalName[] = ['serverLin', 'serverLog'];

/**
 * The server's order as candidate indices: by score (higher first) when every candidate has one,
 * else the input order. Equal scores keep their input order.
 */
export function serverOrderOf(scores: ArrayLike<number> | null, n: number): Int32Array {
  const indices = Int32Array.from({ length: n }, (_, i) => i);
  if (scores) indices.sort((a, b) => scores[b] - scores[a] || a - b);
  return indices;
}

/** The server's order as a ranking, with the shop's rules applied when `rules` has any. */
export function serverRanking(serverScores: ArrayLike<number> | null, n: number, rules?: RuleContext): Ranking {
  const order = serverOrderOf(serverScores, n);
  const scores = new Float32Array(n);
  order.forEach((candidate, rank) => (scores[candidate] = -rank));
  return { ...withRules(order, order, rules), scores, modelScores: new Float32Array(n).fill(Number.NaN) };
}

/** `order` with the rules applied (`server` is the server's order), and what they excluded. */
function withRules(order: ArrayLike<number>, server: ArrayLike<number>, rules: RuleContext | undefined): Pick<Ranking, 'order' | 'excluded'> {
  if (!rules || !hasRules(rules.options)) return { order: Int32Array.from(order) };
  const { ids, features = () => undefined, options } = rules;
  const ruled = applyRules(options, { ids, features, order, server });
  return ruled.excluded.length ? ruled : { order: ruled.order };
}

/** Candidate features read from their JSON (as packed for the worker), each parsed once, when a rule asks. */
export function featuresReader(json: ReadonlyArray<string | null>): (index: number) => ItemFeatures | undefined {
  const parsed: Array<ItemFeatures | undefined> = [];
  return (i) => {
    if (!(i in parsed)) parsed[i] = json[i] === null ? undefined : (JSON.parse(json[i]!) as ItemFeatures);
    return parsed[i];
  };
}

/**
 * The ranking pipeline: signals in the server's order, the head's score, an optional override of
 * the server's weight, the order and, when asked, reasons.
 */
export function rankCandidates(input: RankInput): Ranking {
  const n = input.ids.length;
  const { options } = input;
  const server = serverOrderOf(input.serverScores, n);
  const at = (list: ArrayLike<number>) => Float32Array.from(server, (i) => list[i]);
  // Signals are computed with candidates laid out in the server's order: position = rank.
  const signals = computeSignals({
    tokens: Array.from(server, (i) => input.tokens[i]),
    ids: Array.from(server, (i) => input.ids[i]),
    profile: input.profile,
    model: input.model && { scores: at(input.model.scores), evidence: at(input.model.evidence) },
  });
  const byRank = options.serverWeight === undefined ? headScores(signals, input.head, n) : overridden(signals, input.head, n, options.serverWeight);
  const scores = new Float32Array(n);
  server.forEach((candidate, rank) => (scores[candidate] = byRank[rank]));
  const rankOf = new Int32Array(n);
  server.forEach((candidate, rank) => (rankOf[candidate] = rank));
  let indices = order(scores, rankOf, { k: options.k, diversity: options.diversity, tokens: input.tokens });
  let explored: number[] = [];
  if (options.explore) {
    const shown = input.shown ?? (() => false);
    ({ order: indices, explored } = explore(indices, {
      rate: options.explore,
      window: Math.min(EXPLORE_WINDOW, options.k ?? n),
      shown: (i) => shown(input.ids[i]),
      uncertainty: (i) => uncertainty(input.tokens[i], input.profile),
    }));
  }
  const ruled = withRules(indices, server, { ids: input.ids, features: input.features, options });
  const modelScores = new Float32Array(n).fill(Number.NaN);
  if (input.model) for (let i = 0; i < n; i++) if (input.model.evidence[i] > 0) modelScores[i] = input.model.scores[i];
  let reasons: Ranking['reasons'];
  if (options.explain) {
    // Reasons are for what a person sees: the first positions, not the whole list.
    reasons = new Array(n).fill(null);
    const exploring = new Set(explored);
    for (const i of ruled.order.slice(0, EXPLAIN_LIMIT)) reasons[i] = exploring.has(i) ? EXPLORE_REASON : (reasonFor(input.tokens[i], input.history ?? []) ?? null);
  }
  return { ...ruled, scores, modelScores, reasons };
}

/**
 * `options.serverWeight` given: (1 - w) x the standardised personal part of the head (every signal
 * but the server's) + w x the standardised server position. 0 ignores the server, 1 keeps its order.
 */
function overridden(signals: Float32Array, head: HeadWeights, n: number, serverWeight: number): Float32Array {
  const personal = headScores(signals, { ...head, serverLin: 0, serverLog: 0 }, n);
  const position = Float32Array.from({ length: n }, (_, rank) => -rank);
  const a = standardise(personal);
  const b = standardise(position);
  return Float32Array.from({ length: n }, (_, i) => (1 - serverWeight) * a[i] + serverWeight * b[i]);
}

/** True when the head gives weight to anything besides the server's position. */
export function isPersonal(head: HeadWeights): boolean {
  return SIGNALS.some((name) => !SERVER_SIGNALS.includes(name) && (head[name] ?? 0) !== 0);
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
 * The final order as candidate indices. The best `k` by score come first (with optional MMR
 * diversity over facet similarity); the rest keep the server's order. Ties keep the server's order,
 * so equal scores never shuffle a page.
 */
export function order(
  scores: Float32Array,
  serverRank: Int32Array,
  options: { k?: number; diversity?: number; tokens?: readonly ItemTokens[] } = {},
): number[] {
  const n = scores.length;
  const k = Math.min(options.k ?? n, n);
  const byScore = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a] || serverRank[a] - serverRank[b]);
  let head = byScore.slice(0, k);
  const diversity = options.diversity ?? 0;
  if (diversity > 0 && options.tokens) {
    const window = Math.min(head.length, DIVERSITY_WINDOW);
    head = [...mmr(head.slice(0, window), scores, diversity, options.tokens), ...head.slice(window)];
  }
  const inHead = new Set(head);
  const tail = Array.from({ length: n }, (_, i) => i)
    .filter((i) => !inHead.has(i))
    .sort((a, b) => serverRank[a] - serverRank[b]);
  return head.concat(tail);
}

/** Maximal marginal relevance: trade relevance for dissimilarity to the items already placed. */
function mmr(pool: number[], relevance: Float32Array, lambda: number, tokens: readonly ItemTokens[]): number[] {
  const z = standardise(Float32Array.from(pool, (i) => relevance[i]));
  const picked: number[] = [];
  const maxSim = new Float32Array(pool.length);
  const left = new Set(pool.map((_, j) => j));
  while (left.size > 0) {
    let best = -1;
    let bestValue = -Infinity;
    for (const j of left) {
      const value = (1 - lambda) * z[j] - lambda * maxSim[j] * 3;
      if (value > bestValue) {
        bestValue = value;
        best = j;
      }
    }
    left.delete(best);
    picked.push(pool[best]);
    for (const j of left) {
      const sim = facetSimilarity(tokens[pool[j]], tokens[pool[best]]);
      if (sim > maxSim[j]) maxSim[j] = sim;
    }
  }
  return picked;
}

const VERBS: Record<EventType, string> = {
  impression: 'saw',
  view: 'viewed',
  click: 'viewed',
  add_to_cart: 'added',
  remove_from_cart: 'removed',
  purchase: 'bought',
};

/** The recent interactions whose items share the most facets with this candidate. */
export function reasonFor(candidate: ItemTokens, history: readonly HistoryEntry[], top = 2): Reason | undefined {
  const scored: { itemId: string; type: EventType; label: string; similarity: number }[] = [];
  const seen = new Set<string>();
  for (let h = history.length - 1; h >= 0; h--) {
    const event = history[h];
    if (seen.has(event.itemId) || event.type === 'remove_from_cart' || event.type === 'impression') continue;
    seen.add(event.itemId);
    scored.push({ itemId: event.itemId, type: event.type, label: event.label, similarity: facetSimilarity(candidate, event.tokens) });
  }
  scored.sort((a, b) => b.similarity - a.similarity);
  const drivers = scored.slice(0, top).filter((s) => s.similarity >= REASON_SIMILARITY);
  if (drivers.length === 0) return undefined;
  const main = drivers[0];
  return {
    text: `Because you ${VERBS[main.type]} ${main.label}`,
    drivenBy: drivers.map(({ itemId, type, similarity }) => ({ itemId, type, similarity: Math.round(similarity * 1000) / 1000 })),
  };
}

/**
 * The model's score of each item row for a user vector: the scorer's dot product, on the rows
 * already cached as Float32Arrays. For at most 20,000 rows of a few dozen floats this plain loop
 * beats uploading a tensor and reading it back on every backend, so no tensor is made per call.
 */
export function dotScores(user: Float32Array, rows: readonly Float32Array[]): Float32Array {
  const dim = user.length;
  const out = new Float32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += rows[i][d] * user[d];
    out[i] = s;
  }
  return out;
}
