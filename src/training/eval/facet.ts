/**
 * The facet-affinity baseline of the catalogue evaluation, of the kind Algolia Personalization
 * computes: a per-user affinity to each facet value (category levels, brand, tags, attributes),
 * summed over the user's events, weighted by event type and decayed with time; a candidate scores
 * the sum of its facet values' affinities, and the server's order breaks ties. It lives in the
 * evaluation harness only, as the bar localrank must clear.
 */
import type { EventType, ItemFeatures } from '../../shared/types';
import { featureTokens } from '../../worker/ranking/features';

/** Event weights as a shop would set them in Algolia's dashboard (views least, conversions most). */
const EVENT_SCORE: Readonly<Record<EventType, number>> = {
  impression: 0,
  view: 1,
  click: 2,
  add_to_cart: 3,
  remove_from_cart: 0,
  purchase: 4,
};

const DAY_MS = 86_400_000;

export interface FacetOptions {
  /** Affinity halves every this many days. */
  halfLifeDays: number;
}

/** Facet values of an item: its tokens without title words and price band. */
function facetValues(features: ItemFeatures | undefined): string[] {
  return [...new Set(featureTokens(features).filter((t) => !/^[typ]:/.test(t)))];
}

/** Scores of the candidates (in the server's order) for a user with these events. */
export function facetScores(
  history: ReadonlyArray<{ type: EventType; time: number; features?: ItemFeatures }>,
  candidates: ReadonlyArray<{ features?: ItemFeatures }>,
  now: number,
  { halfLifeDays }: FacetOptions,
): Float64Array {
  const affinity = new Map<string, number>();
  for (const h of history) {
    const weight = EVENT_SCORE[h.type] * 0.5 ** (Math.max(0, now - h.time) / (halfLifeDays * DAY_MS));
    if (weight <= 0) continue;
    for (const value of facetValues(h.features)) affinity.set(value, (affinity.get(value) ?? 0) + weight);
  }
  const out = new Float64Array(candidates.length);
  for (let i = 0; i < candidates.length; i++) {
    for (const value of facetValues(candidates[i].features)) out[i] += affinity.get(value) ?? 0;
  }
  return out;
}

/** 1-based rank of candidate `target` by score, ties broken by the server's order (the index). */
export function rankBreakingTiesByServer(scores: ArrayLike<number>, target: number): number {
  let rank = 1;
  for (let i = 0; i < scores.length; i++) {
    if (scores[i] > scores[target] || (scores[i] === scores[target] && i < target)) rank++;
  }
  return rank;
}
