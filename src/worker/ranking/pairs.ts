/**
 * Pair features: how each candidate relates to each of the visitor's latest interactions, as a
 * few numbers per (candidate, interaction) pair. Like the signals, none of them names an item id or
 * a token (word overlaps weighted by how rare the word is among the candidates, facet overlaps,
 * the same first word, the same item, how long ago and how strong the interaction was), so the
 * cross scorer that reads them (model/cross.ts) ranks a catalogue it never saw. Pure functions over
 * typed arrays: the worker and the Node training share them.
 */
import type { ItemTokens } from './taste';
import { tokenIdLimit } from './tokens';

/** The latest interactions paired with each candidate; slot `PAIR_HISTORY - 1` is the latest. */
export const PAIR_HISTORY = 16;

/** Lower bounds of the recency buckets, in interactions before the latest. */
const RECENCY = [0, 1, 2, 3, 4, 6, 10, 20] as const;

/** The features of one pair, in column order (recency buckets one-hot at the end). */
export const PAIR_FEATURES = [
  /** Share of the candidate's words the interaction's item has. */
  'wordsCovered',
  /** Share of the interaction's words the candidate has. */
  'wordsCovering',
  'wordJaccard',
  /** Like `wordsCovered`, each word weighted by its rarity among the candidates. */
  'wordsCoveredRare',
  'facetsCovered',
  'facetJaccard',
  'facetsCoveredRare',
  'sameItem',
  /** Both titles start with the same word (often the brand). */
  'sameFirstWord',
  /** Rarity of the rarest shared token, over log(n + 1). */
  'rarestShared',
  /** The interaction's taste weight over 2 (a view 0.25, a click 0.5, add-to-cart and purchase 1). */
  'strength',
  ...RECENCY.map((from) => `recency${from}`),
] as const;

export const PAIR_FEATURE_COUNT = PAIR_FEATURES.length;

/** Per candidate, how it sits among the candidates the history touches (see `Pairs.touched`). */
export const CONTEXT_FEATURES = [
  /** 1 when it shares a token with, or is, one of the interactions. */
  'touched',
  /** Share of the touched candidates the server ranks above it (0: the best-selling match). */
  'touchedAbove',
  /** Share of the list the history touches. */
  'touchedShare',
] as const;

export const CONTEXT_COUNT = CONTEXT_FEATURES.length;
const OVERLAP_COUNT = PAIR_FEATURE_COUNT - RECENCY.length;
const STRENGTH = PAIR_FEATURES.indexOf('strength');

/** One interaction as the pairs read it. */
export interface PairInteraction {
  itemId: string;
  tokens: ItemTokens;
  /** Taste weight of the interaction (taste.ts `tasteWeight`). */
  weight: number;
}

/** Pair features of n candidates against the latest `PAIR_HISTORY` interactions. */
export interface Pairs {
  /** [n, PAIR_HISTORY, PAIR_FEATURE_COUNT], row-major; empty slots are zeros. */
  values: Float32Array;
  /** [PAIR_HISTORY]: 1 for a slot holding an interaction. */
  mask: Float32Array;
  /** Per candidate: 1 when it shares a token with, or is, one of the interactions. */
  touched: Uint8Array;
  /** [n, CONTEXT_COUNT], row-major. */
  context: Float32Array;
}

function recencyBucket(before: number): number {
  let bucket = 0;
  for (let b = 0; b < RECENCY.length; b++) if (before >= RECENCY[b]) bucket = b;
  return bucket;
}

/** Marks, per token id, which history slots hold it (a bit per slot). */
let slotsOf = new Uint32Array(1024);

/**
 * The pair features. `rarity[token]` is how rare the token is among these candidates (signals.ts
 * `withListRarity`); `history` is oldest first (only its latest `PAIR_HISTORY` are read).
 */
export function pairFeatures(
  candidates: { ids: readonly string[]; tokens: readonly ItemTokens[] },
  history: readonly PairInteraction[],
  rarity: Float32Array,
): Pairs {
  const n = candidates.ids.length;
  const M = PAIR_HISTORY;
  const F = PAIR_FEATURE_COUNT;
  const values = new Float32Array(n * M * F);
  const mask = new Float32Array(M);
  const touched = new Uint8Array(n);
  const context = new Float32Array(n * CONTEXT_COUNT);
  const window = history.slice(-M);
  const m = window.length;
  if (m === 0 || n === 0) return { values, mask, touched, context };
  const offset = M - m;
  const limit = tokenIdLimit();
  if (slotsOf.length < limit) slotsOf = new Uint32Array(Math.max(limit, slotsOf.length * 2));
  for (let j = 0; j < m; j++) {
    const { facets, words } = window[j].tokens;
    for (let k = 0; k < facets.length; k++) slotsOf[facets[k]] |= 1 << j;
    for (let k = 0; k < words.length; k++) slotsOf[words[k]] |= 1 << j;
    mask[offset + j] = 1;
  }
  // Per slot: the slot's constant columns (strength, recency), written for every candidate.
  const constant = new Float32Array(M * F);
  for (let j = 0; j < m; j++) {
    const at = (offset + j) * F;
    constant[at + STRENGTH] = Math.min(1, window[j].weight / 2);
    constant[at + OVERLAP_COUNT + recencyBucket(m - 1 - j)] = 1;
  }
  const logN = Math.log(n + 1);
  const wordsShared = new Float32Array(m);
  const wordsRare = new Float32Array(m);
  const facetsShared = new Float32Array(m);
  const facetsRare = new Float32Array(m);
  const rarest = new Float32Array(m);
  try {
    for (let i = 0; i < n; i++) {
      const base = i * M * F;
      values.set(constant, base);
      const { facets, words } = candidates.tokens[i];
      wordsShared.fill(0);
      wordsRare.fill(0);
      facetsShared.fill(0);
      facetsRare.fill(0);
      rarest.fill(0);
      let wordRarity = 0;
      let facetRarity = 0;
      let any = 0;
      for (let k = 0; k < words.length; k++) {
        const t = words[k];
        const r = rarity[t];
        wordRarity += r;
        let slots = slotsOf[t];
        any |= slots;
        while (slots) {
          const j = 31 - Math.clz32(slots);
          slots &= ~(1 << j);
          wordsShared[j]++;
          wordsRare[j] += r;
          if (r > rarest[j]) rarest[j] = r;
        }
      }
      for (let k = 0; k < facets.length; k++) {
        const t = facets[k];
        const r = rarity[t];
        facetRarity += r;
        let slots = slotsOf[t];
        any |= slots;
        while (slots) {
          const j = 31 - Math.clz32(slots);
          slots &= ~(1 << j);
          facetsShared[j]++;
          facetsRare[j] += r;
          if (r > rarest[j]) rarest[j] = r;
        }
      }
      const id = candidates.ids[i];
      const first = words.length > 0 ? words[0] : -1;
      for (let j = 0; j < m; j++) {
        const item = window[j];
        const same = item.itemId === id;
        if (!same && !(any & (1 << j))) continue;
        touched[i] = 1;
        const o = base + (offset + j) * F;
        const hw = item.tokens.words.length;
        const hf = item.tokens.facets.length;
        const ws = wordsShared[j];
        const fs = facetsShared[j];
        values[o] = words.length > 0 ? ws / words.length : 0;
        values[o + 1] = hw > 0 ? ws / hw : 0;
        values[o + 2] = ws > 0 ? ws / (words.length + hw - ws) : 0;
        values[o + 3] = wordRarity > 0 ? wordsRare[j] / wordRarity : 0;
        values[o + 4] = facets.length > 0 ? fs / facets.length : 0;
        values[o + 5] = fs > 0 ? fs / (facets.length + hf - fs) : 0;
        values[o + 6] = facetRarity > 0 ? facetsRare[j] / facetRarity : 0;
        values[o + 7] = same ? 1 : 0;
        values[o + 8] = first >= 0 && hw > 0 && item.tokens.words[0] === first ? 1 : 0;
        values[o + 9] = logN > 0 ? rarest[j] / logN : 0;
      }
    }
  } finally {
    for (let j = 0; j < m; j++) {
      const { facets, words } = window[j].tokens;
      for (let k = 0; k < facets.length; k++) slotsOf[facets[k]] = 0;
      for (let k = 0; k < words.length; k++) slotsOf[words[k]] = 0;
    }
  }
  // Candidates are in the server's order: the best-selling matches come first.
  let total = 0;
  for (let i = 0; i < n; i++) total += touched[i];
  let above = 0;
  for (let i = 0; i < n; i++) {
    if (!touched[i]) continue;
    context[i * CONTEXT_COUNT] = 1;
    context[i * CONTEXT_COUNT + 1] = above / total;
    context[i * CONTEXT_COUNT + 2] = total / n;
    above++;
  }
  return { values, mask, touched, context };
}
