/**
 * `src/worker/ranking/`: the ranking, pure functions over plain arrays: items' content features and
 * their interned tokens, the visitor's taste, the relational signals and pair features, the
 * per-visitor reactions, this pipeline, the shop's rules, exploration and item similarity. It
 * imports nothing else of the worker; the engine and the pretrained scorers (`../model/`) call it.
 * This file is its entry.
 *
 * The ranking pipeline as one pure function (`rankCandidates`): the relational signals of every
 * candidate, the ranker head's score, the order (the best `k`, with optional diversity and
 * exploration), the shop's rules (rules.ts) and reasons for the first positions. No TensorFlow here: inputs are plain arrays, computed by the
 * engine, so this runs in microseconds and is unit-tested alone.
 */
import type { EventType, ItemFeatures, Reason, RerankOptions } from '../../shared/types';
import { EXPLORE_WINDOW, explore, uncertainty } from './explore';
import { applyRules, hasRules, type RuleResult } from './rules';
import { scoreCandidates, standardise } from './scoring';
import type { HeadWeights } from './signals';
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

/** What the server's order, the taste and the model each added to candidate `i`'s score, rounded. */
function contributionsOf(values: Float32Array, i: number): NonNullable<Reason['contributions']> {
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return { server: round(values[i * 3]), taste: round(values[i * 3 + 1]), model: round(values[i * 3 + 2]) };
}

/**
 * The server's order as candidate indices: by score (higher first) when every candidate has one,
 * else the input order. Equal scores keep their input order.
 */
export function serverOrderOf(scores: ArrayLike<number> | null, n: number): Int32Array {
  const indices = new Int32Array(n);
  for (let i = 0; i < n; i++) indices[i] = i;
  // A server usually sends its list in its order: then there is nothing to sort.
  let sorted = true;
  if (scores) for (let i = 1; i < n && sorted; i++) sorted = scores[i - 1] >= scores[i];
  if (!sorted) indices.sort((a, b) => scores![b] - scores![a] || a - b);
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
 * The ranking pipeline: the head's score of every candidate (scoring.ts: signals only where the
 * taste or the model has evidence), an optional override of the server's weight, the order and,
 * when asked, reasons. Typed arrays throughout, no object per candidate.
 */
export function rankCandidates(input: RankInput): Ranking {
  const n = input.ids.length;
  const { options } = input;
  const server = serverOrderOf(input.serverScores, n);
  const { scores, evidence, contributions } = scoreCandidates({
    server,
    tokens: input.tokens,
    ids: input.ids,
    profile: input.profile,
    model: input.model,
    head: input.head,
    serverWeight: options.serverWeight,
    contributions: options.explain,
  });
  let indices = order(scores, server, { k: options.k, diversity: options.diversity, tokens: input.tokens, evidence });
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
    for (const i of ruled.order.slice(0, EXPLAIN_LIMIT)) {
      const reason = exploring.has(i) ? EXPLORE_REASON : reasonFor(input.tokens[i], input.history ?? []);
      reasons[i] = reason && contributions ? { ...reason, contributions: contributionsOf(contributions, i) } : (reason ?? null);
    }
  }
  return { ...ruled, scores, modelScores, reasons };
}


/**
 * The final order as candidate indices. The best `k` by score come first (with optional MMR
 * diversity over facet similarity); the rest keep the server's order. Ties keep the server's order,
 * so equal scores never shuffle a page. `server` is the candidate at each server position.
 *
 * `evidence` marks the candidates whose signals were computed; the others' scores never rise along
 * the server's order (their signals are their position alone), so they are already sorted: only
 * the marked ones are sorted, then merged in. Either way the order is that of one sort by (score
 * descending, server position ascending).
 */
export function order(
  scores: Float32Array,
  server: Int32Array,
  options: { k?: number; diversity?: number; tokens?: readonly ItemTokens[]; evidence?: Uint8Array } = {},
): number[] {
  const n = scores.length;
  const k = Math.min(options.k ?? n, n);
  const byScore = sortByScore(scores, server, options.evidence);
  let head = k < n ? byScore.slice(0, k) : byScore;
  const diversity = options.diversity ?? 0;
  if (diversity > 0 && options.tokens) {
    const window = Math.min(head.length, DIVERSITY_WINDOW);
    head = [...mmr(head.slice(0, window), scores, diversity, options.tokens), ...head.slice(window)];
  }
  if (k >= n) return head;
  const inHead = new Uint8Array(n);
  for (const i of head) inHead[i] = 1;
  for (let rank = 0; rank < n; rank++) if (!inHead[server[rank]]) head.push(server[rank]);
  return head;
}

/** Server positions fit below this in a sort key (`LIMITS.maxCandidates` is 20,000). */
const RANK_SPACE = 32_768;
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * A number whose ascending order is (score descending, then server position ascending), exact in
 * a double: the score's float32 bits made order-preserving, times the rank space, plus the rank.
 */
function sortKey(score: number, rank: number): number {
  f32[0] = score === 0 ? 0 : score; // -0 ties with 0, as a comparison does
  const bits = u32[0];
  const ascending = bits & 0x80000000 ? ~bits >>> 0 : (bits | 0x80000000) >>> 0;
  return (0xffffffff - ascending) * RANK_SPACE + rank;
}

/** Every candidate index by score, best first, ties in the server's order. */
function sortByScore(scores: Float32Array, server: Int32Array, evidence: Uint8Array | undefined): number[] {
  const n = scores.length;
  const rankOf = new Int32Array(n);
  for (let rank = 0; rank < n; rank++) rankOf[server[rank]] = rank;
  let finite = n < RANK_SPACE;
  for (let i = 0; i < n && finite; i++) finite = !Number.isNaN(scores[i]);
  if (!finite) {
    // NaN compares as nothing: keep exactly the comparison sort's answer.
    return Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a] || rankOf[a] - rankOf[b]);
  }
  // The candidates without evidence, in the server's order, if their scores never rise along it.
  let rest: number[] | null = evidence ? [] : null;
  if (rest) {
    let previous = Infinity;
    for (let rank = 0; rank < n && rest; rank++) {
      const i = server[rank];
      if (evidence![i]) continue;
      if (scores[i] > previous) rest = null;
      else {
        rest.push(i);
        previous = scores[i];
      }
    }
  }
  const sorting = rest ? n - rest.length : n;
  const keys = new Float64Array(sorting);
  let m = 0;
  for (let rank = 0; rank < n; rank++) {
    const i = server[rank];
    if (!rest || evidence![i]) keys[m++] = sortKey(scores[i], rank);
  }
  keys.sort();
  const out = new Array<number>(n);
  if (!rest) {
    for (let j = 0; j < n; j++) out[j] = server[keys[j] % RANK_SPACE];
    return out;
  }
  // Merge the sorted candidates with evidence and the rest, by the same key.
  let a = 0;
  let b = 0;
  let restKey = rest.length > 0 ? sortKey(scores[rest[0]], rankOf[rest[0]]) : Infinity;
  for (let j = 0; j < n; j++) {
    if (a < sorting && keys[a] < restKey) out[j] = server[keys[a++] % RANK_SPACE];
    else {
      out[j] = rest[b++];
      restKey = b < rest.length ? sortKey(scores[rest[b]], rankOf[rest[b]]) : Infinity;
    }
  }
  return out;
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
