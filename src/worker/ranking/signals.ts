/**
 * Relational signals: how each candidate relates to this visitor's taste, to the server's order
 * and to the pretrained model, as a few numbers per candidate. None of them names an item id or a
 * token, so a ranker head trained on some shops' logs reads them the same way on a shop it never
 * saw. Pure functions over plain arrays: the worker and the Node training share them.
 *
 * Every taste signal is scaled by the confidence c = e / (e + 2) in e, the visitor's summed
 * interaction weight (a view 0.5, a click 1, a purchase 2): one glance is weak evidence and moves
 * little, ten purchases are strong. The `...Confident` signals are scaled twice (c squared), so the
 * head can keep its strongest moves for visitors it knows well.
 */
import type { ItemTokens, TasteProfile } from './taste';
import { tokenIdLimit } from './tokens';

/** The signals, in column order. A head's weights name them, so never reuse a name for another meaning. */
export const SIGNALS = [
  /** The server's position, linear: -rank / n. */
  'serverLin',
  /** The server's position, logarithmic like NDCG: -log2(2 + rank) / log2(2 + n). */
  'serverLog',
  /** The pretrained model's standardised score, times how much the model knows the item and the visitor's history. */
  'model',
  /** Taste: mean affinity of the candidate's facets, each weighted by how rare it is in this list. */
  'facetAffinity',
  /** Taste: the affinity of the candidate's strongest facet. */
  'facetMax',
  /** Taste: summed rarity-weighted affinity of its facets (several matching facets add up). */
  'facetSum',
  /** Overlap (Jaccard) of its facets with those of the latest interaction. */
  'lastOverlap',
  /** Share of its facets the visitor has interacted with at all. */
  'facetSeen',
  /** Rarity-weighted affinity of its title words. */
  'wordAffinity',
  /** Share of the interaction weight on this very item (return and repeat interest). */
  'repeat',
  /** `facetAffinity` and `lastOverlap` scaled by the confidence once more. */
  'facetAffinityConfident',
  'lastOverlapConfident',
  /** `facetAffinity` among the server's top positions counts more. */
  'facetAffinityXserver',
] as const;

export type SignalName = (typeof SIGNALS)[number];
export const SIGNAL_COUNT = SIGNALS.length;
const COLUMN = Object.fromEntries(SIGNALS.map((name, i) => [name, i])) as Record<SignalName, number>;

export interface SignalInput {
  /** Candidate tokens, in the server's order. */
  tokens: readonly ItemTokens[];
  ids: readonly string[];
  profile: TasteProfile;
  /**
   * The model's score per candidate and how far to trust it (0: the model knows nothing of the
   * item or of the visitor; 1: known id and a known history). Absent: no model term.
   */
  model?: { scores: Float32Array; evidence: Float32Array };
}

/** Row-major [n, SIGNAL_COUNT] signals of the candidates (in the server's order). */
export function computeSignals({ tokens, ids, profile, model }: SignalInput): Float32Array {
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
export function withListRarity<T>(tokens: readonly ItemTokens[], use: (rarity: Float32Array) => T): T {
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

/**
 * The model's scores standardised over the candidates it has evidence for, times that evidence:
 * an item the model knows nothing about gets 0, the average, so noise never moves it.
 */
function evidenceWeighted(scores: Float32Array, evidence: Float32Array): Float32Array {
  let mean = 0;
  let weight = 0;
  for (let i = 0; i < scores.length; i++) {
    mean += evidence[i] * scores[i];
    weight += evidence[i];
  }
  const out = new Float32Array(scores.length);
  if (weight <= 0) return out;
  mean /= weight;
  let variance = 0;
  for (let i = 0; i < scores.length; i++) variance += evidence[i] * (scores[i] - mean) ** 2;
  const std = Math.sqrt(variance / weight);
  if (!(std > 1e-9)) return out;
  for (let i = 0; i < scores.length; i++) out[i] = (evidence[i] * (scores[i] - mean)) / std;
  return out;
}

/** A linear ranker head: one weight per signal. */
export type HeadWeights = Readonly<Record<SignalName, number>>;

/**
 * The head for models that bring none: the bundled default model's, trained by `npm run pretrain`
 * on MovieLens 100K (in-domain) and on Amazon Beauty and Sports as catalogues it never saw.
 */
export const DEFAULT_HEAD: HeadWeights = {
  serverLin: 0,
  serverLog: 2.9902,
  model: 0.9674,
  facetAffinity: -0.0088,
  facetMax: -0.6144,
  facetSum: 2.2701,
  lastOverlap: 0.062,
  facetSeen: 1.2874,
  wordAffinity: 6.3537,
  repeat: 0,
  facetAffinityConfident: 0.5403,
  lastOverlapConfident: 0.5192,
  facetAffinityXserver: -0.0353,
};

/** A model's head: its own weights (signals it does not name weigh 0), or `DEFAULT_HEAD`. */
export function headOf(spec: { weights: Partial<Record<string, number>> } | undefined): HeadWeights {
  if (!spec) return DEFAULT_HEAD;
  const weights = Object.fromEntries(SIGNALS.map((name) => {
    const w = spec.weights[name];
    return [name, typeof w === 'number' && Number.isFinite(w) ? w : 0];
  }));
  return weights as HeadWeights;
}

/** The head's score per candidate. */
export function headScores(signals: Float32Array, weights: HeadWeights, n: number): Float32Array {
  const w = SIGNALS.map((name) => weights[name] ?? 0);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let f = 0; f < SIGNAL_COUNT; f++) s += signals[i * SIGNAL_COUNT + f] * w[f];
    out[i] = s;
  }
  return out;
}
