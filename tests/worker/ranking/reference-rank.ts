/**
 * The ranking pipeline as it was before the sparse fast path (src/worker/ranking/scoring.ts): every
 * signal of every candidate through hash lookups, one comparison sort. Frozen here, verbatim, so
 * tests can prove the engine's fast path ranks and scores exactly as it did.
 */
import { EXPLORE_WINDOW, explore, uncertainty } from '../../../src/worker/ranking/explore';
import { EXPLAIN_LIMIT, EXPLORE_REASON, reasonFor, serverOrderOf, DIVERSITY_WINDOW, type Ranking, type RankInput, type RuleContext } from '../../../src/worker/ranking/rerank';
import { standardise } from '../../../src/worker/ranking/scoring';
import { applyRules, hasRules } from '../../../src/worker/ranking/rules';
import { SIGNAL_COUNT, SIGNALS, evidenceWeighted, headScores, type HeadWeights, type SignalInput, type SignalName } from '../../../src/worker/ranking/signals';
import { facetSimilarity } from '../../../src/worker/ranking/similarity';
import type { ItemTokens } from '../../../src/worker/ranking/taste';
import { tokenIdLimit } from '../../../src/worker/ranking/tokens';

const COLUMN = Object.fromEntries(SIGNALS.map((name, i) => [name, i])) as Record<SignalName, number>;

/** Row-major [n, SIGNAL_COUNT] signals of the candidates (in the server's order). */
function computeSignals({ tokens, ids, profile, model }: SignalInput): Float32Array {
  const n = tokens.length;
  const out = new Float32Array(n * SIGNAL_COUNT);
  if (n === 0) return out;
  const confidence = profile.evidence / (profile.evidence + 2);
  const logNorm = Math.log2(2 + n);
  const modelTerm = model ? evidenceWeighted(model.scores, model.evidence) : null;
  withListRarity(tokens, (rarity) => {
    for (let i = 0; i < n; i++) {
      const o = i * SIGNAL_COUNT;
      const { facets, words } = tokens[i];
      let weighted = 0;
      let weights = 0;
      let strongest = 0;
      let seen = 0;
      let shared = 0;
      for (let j = 0; j < facets.length; j++) {
        const t = facets[j];
        const a = profile.facets.get(t) ?? 0;
        const r = rarity[t];
        weighted += a * r;
        weights += r;
        if (a > strongest) strongest = a;
        if (a > 0) seen++;
        if (profile.lastFacets.has(t)) shared++;
      }
      const affinity = weights > 0 ? weighted / weights : 0;
      const union = facets.length + profile.lastFacets.size - shared;
      const overlap = union > 0 ? shared / union : 0;
      let wordWeighted = 0;
      let wordWeights = 0;
      for (let j = 0; j < words.length; j++) {
        const t = words[j];
        const r = rarity[t];
        wordWeighted += (profile.words.get(t) ?? 0) * r;
        wordWeights += r;
      }
      const serverLog = -Math.log2(2 + i) / logNorm;
      out[o + COLUMN.serverLin] = -i / n;
      out[o + COLUMN.serverLog] = serverLog;
      out[o + COLUMN.model] = modelTerm ? modelTerm[i] : 0;
      const c = confidence;
      out[o + COLUMN.facetAffinity] = c * affinity;
      out[o + COLUMN.facetMax] = c * strongest;
      out[o + COLUMN.facetSum] = (c * weighted) / Math.log((n + 1) / 1.5);
      out[o + COLUMN.lastOverlap] = c * overlap;
      out[o + COLUMN.facetSeen] = facets.length > 0 ? (c * seen) / facets.length : 0;
      out[o + COLUMN.wordAffinity] = wordWeights > 0 ? (c * wordWeighted) / wordWeights : 0;
      out[o + COLUMN.repeat] = c * (profile.items.get(ids[i]) ?? 0);
      out[o + COLUMN.facetAffinityConfident] = c * c * affinity;
      out[o + COLUMN.lastOverlapConfident] = c * c * overlap;
      out[o + COLUMN.facetAffinityXserver] = c * affinity * serverLog;
    }
  });
  return out;
}

/** Per-token scratch arrays, reused between calls: a call resets only the entries it touched. */
let counts = new Int32Array(1024);
let rarities = new Float32Array(1024);

/**
 * Runs `use` with how rare each token is among these candidates (inverse document frequency within
 * the list, indexed by token id): a facet every candidate shares tells them apart no better than none.
 */
function withListRarity<T>(tokens: readonly ItemTokens[], use: (rarity: Float32Array) => T): T {
  const limit = tokenIdLimit();
  if (counts.length < limit) {
    counts = new Int32Array(Math.max(limit, counts.length * 2));
    rarities = new Float32Array(counts.length);
  }
  const touched: number[] = [];
  for (const { facets, words } of tokens) {
    for (let j = 0; j < facets.length; j++) if (counts[facets[j]]++ === 0) touched.push(facets[j]);
    for (let j = 0; j < words.length; j++) if (counts[words[j]]++ === 0) touched.push(words[j]);
  }
  const n = tokens.length;
  for (const id of touched) rarities[id] = Math.log((n + 1) / (counts[id] + 0.5));
  try {
    return use(rarities);
  } finally {
    for (const id of touched) {
      counts[id] = 0;
      rarities[id] = 0;
    }
  }
}


/** `order` with the rules applied (`server` is the server's order), and what they excluded. */
function withRules(order: ArrayLike<number>, server: ArrayLike<number>, rules: RuleContext | undefined): Pick<Ranking, 'order' | 'excluded'> {
  if (!rules || !hasRules(rules.options)) return { order: Int32Array.from(order) };
  const { ids, features = () => undefined, options } = rules;
  const ruled = applyRules(options, { ids, features, order, server });
  return ruled.excluded.length ? ruled : { order: ruled.order };
}


/**
 * The ranking pipeline: signals in the server's order, the head's score, an optional override of
 * the server's weight, the order and, when asked, reasons.
 */
export function referenceRank(input: RankInput): Ranking {
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


/**
 * The final order as candidate indices. The best `k` by score come first (with optional MMR
 * diversity over facet similarity); the rest keep the server's order. Ties keep the server's order,
 * so equal scores never shuffle a page.
 */
function order(
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

