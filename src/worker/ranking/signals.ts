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
import { EMPTY_PROFILE, type ItemTokens, type TasteProfile } from './taste';
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
  const modelTerm = model ? evidenceWeighted(model.scores, model.evidence) : null;
  withSignalContext(tokens, profile, (context) => {
    for (let i = 0; i < n; i++) writeSignals(out, i * SIGNAL_COUNT, context, tokens[i], ids[i], i, n, modelTerm ? modelTerm[i] : 0);
  });
  return out;
}

/**
 * What every candidate's signals read, for one list and one taste: the list's token rarities and
 * the profile's affinities, both as dense arrays indexed by token id (a typed-array read per token
 * instead of a hash lookup: the same numbers, read faster).
 */
export interface SignalContext {
  profile: TasteProfile;
  confidence: number;
  logNorm: number;
  /** `facetSum`'s normaliser for the list's length. */
  sumNorm: number;
  /** The list's inverse document frequency of each token. */
  rarity: Float32Array;
  /** `profile.facets` and `profile.words`, dense; 0 where the profile has no entry. */
  facetShare: Float64Array;
  wordShare: Float64Array;
  /** 1 for the facets of the latest interaction (`profile.lastFacets`). */
  last: Uint8Array;
}

/**
 * The signals of one candidate at server position `rank` of `n`, written to `out[o ...]` (so
 * rounded to float32 like every signal). `modelValue` is its entry of the evidence-weighted model
 * term (`evidenceWeighted`), 0 without one.
 */
export function writeSignals(out: Float32Array, o: number, context: SignalContext, tokens: ItemTokens, id: string, rank: number, n: number, modelValue: number): void {
  const { profile, rarity, facetShare, wordShare, last } = context;
  const { facets, words } = tokens;
  let weighted = 0;
  let weights = 0;
  let strongest = 0;
  let seen = 0;
  let shared = 0;
  for (let j = 0; j < facets.length; j++) {
    const t = facets[j];
    const a = facetShare[t];
    const r = rarity[t];
    weighted += a * r;
    weights += r;
    if (a > strongest) strongest = a;
    if (a > 0) seen++;
    shared += last[t];
  }
  const affinity = weights > 0 ? weighted / weights : 0;
  const union = facets.length + profile.lastFacets.size - shared;
  const overlap = union > 0 ? shared / union : 0;
  let wordWeighted = 0;
  let wordWeights = 0;
  for (let j = 0; j < words.length; j++) {
    const t = words[j];
    const r = rarity[t];
    wordWeighted += wordShare[t] * r;
    wordWeights += r;
  }
  const serverLog = -Math.log2(2 + rank) / context.logNorm;
  out[o + COLUMN.serverLin] = -rank / n;
  out[o + COLUMN.serverLog] = serverLog;
  out[o + COLUMN.model] = modelValue;
  const c = context.confidence;
  out[o + COLUMN.facetAffinity] = c * affinity;
  out[o + COLUMN.facetMax] = c * strongest;
  out[o + COLUMN.facetSum] = (c * weighted) / context.sumNorm;
  out[o + COLUMN.lastOverlap] = c * overlap;
  out[o + COLUMN.facetSeen] = facets.length > 0 ? (c * seen) / facets.length : 0;
  out[o + COLUMN.wordAffinity] = wordWeights > 0 ? (c * wordWeighted) / wordWeights : 0;
  out[o + COLUMN.repeat] = c * (profile.items.get(id) ?? 0);
  out[o + COLUMN.facetAffinityConfident] = c * c * affinity;
  out[o + COLUMN.lastOverlapConfident] = c * c * overlap;
  out[o + COLUMN.facetAffinityXserver] = c * affinity * serverLog;
}

/** Per-token scratch arrays, reused between calls: a call resets only the entries it touched. */
let counts = new Int32Array(1024);
let rarities = new Float32Array(1024);
let facetShares = new Float64Array(1024);
let wordShares = new Float64Array(1024);
let lasts = new Uint8Array(1024);
/**
 * The list whose token counts and rarities `counts` and `rarities` hold, and its tokens: a page
 * reranks one list many times (after each interaction), and the worker's item cache then hands the
 * same tokens array again, so they are counted once per list, not once per call.
 */
let countedList: readonly ItemTokens[] | null = null;
let countedTokens: number[] = [];

/** Counts the tokens of `tokens` and their rarity among them, unless that list is already counted. */
function countList(tokens: readonly ItemTokens[]): void {
  if (tokens === countedList) return;
  for (const id of countedTokens) {
    counts[id] = 0;
    rarities[id] = 0;
  }
  const touched: number[] = [];
  for (const { facets, words } of tokens) {
    for (let j = 0; j < facets.length; j++) if (counts[facets[j]]++ === 0) touched.push(facets[j]);
    for (let j = 0; j < words.length; j++) if (counts[words[j]]++ === 0) touched.push(words[j]);
  }
  const n = tokens.length;
  for (const id of touched) rarities[id] = Math.log((n + 1) / (counts[id] + 0.5));
  countedList = tokens;
  countedTokens = touched;
}

/**
 * Runs `use` with the signal context of `tokens` (a list, in any order) and `profile`: how rare
 * each token is among these candidates (inverse document frequency within the list: a facet every
 * candidate shares tells them apart no better than none) and the profile's affinities, dense.
 */
export function withSignalContext<T>(tokens: readonly ItemTokens[], profile: TasteProfile, use: (context: SignalContext) => T): T {
  const limit = tokenIdLimit();
  if (counts.length < limit) {
    const size = Math.max(limit, counts.length * 2);
    counts = new Int32Array(size);
    rarities = new Float32Array(size);
    facetShares = new Float64Array(size);
    wordShares = new Float64Array(size);
    lasts = new Uint8Array(size);
    countedList = null;
    countedTokens = [];
  }
  countList(tokens);
  const n = tokens.length;
  for (const [t, a] of profile.facets) facetShares[t] = a;
  for (const [t, a] of profile.words) wordShares[t] = a;
  for (const t of profile.lastFacets) lasts[t] = 1;
  try {
    return use({
      profile,
      confidence: profile.evidence / (profile.evidence + 2),
      logNorm: Math.log2(2 + n),
      sumNorm: Math.log((n + 1) / 1.5),
      rarity: rarities,
      facetShare: facetShares,
      wordShare: wordShares,
      last: lasts,
    });
  } finally {
    for (const t of profile.facets.keys()) facetShares[t] = 0;
    for (const t of profile.words.keys()) wordShares[t] = 0;
    for (const t of profile.lastFacets) lasts[t] = 0;
  }
}

/** Runs `use` with how rare each token is among these candidates (see `withSignalContext`). */
export function withListRarity<T>(tokens: readonly ItemTokens[], use: (rarity: Float32Array) => T): T {
  return withSignalContext(tokens, EMPTY_PROFILE, (context) => use(context.rarity));
}

/**
 * The model's scores standardised over the candidates it has evidence for, times that evidence:
 * an item the model knows nothing about gets 0, the average, so noise never moves it.
 */
export function evidenceWeighted(scores: Float32Array, evidence: Float32Array): Float32Array {
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
