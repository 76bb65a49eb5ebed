/**
 * Exploration against filter bubbles: a few of the first positions go to items the visitor was
 * never shown, from parts of the catalogue their taste knows little about. Not random: the item
 * chosen for a slot is the one with the best place in the ranking plus uncertainty (optimism in
 * the face of uncertainty), so it is the most promising of what the visitor has not seen. Pure.
 */
import type { ItemTokens, TasteProfile } from './taste';

/** Exploration slots are spread over this many leading positions. */
export const EXPLORE_WINDOW = 20;
/** The largest `explore` rate: at most every other leading position. */
export const MAX_EXPLORE = 0.5;

/** The positions exploration takes for a rate: evenly spread, the first after a few ranked items (0.1: 5 and 15). */
export function explorationSlots(rate: number, window: number): number[] {
  const slots: number[] = [];
  if (!(rate > 0)) return slots;
  for (let j = 0; ; j++) {
    const p = Math.floor((j + 0.5) / rate);
    if (p >= window) return slots;
    slots.push(p);
  }
}

/** Share of an item's facets the visitor's taste has no evidence about, 0..1; 0 for an item without facets. */
export function uncertainty(tokens: ItemTokens, profile: TasteProfile): number {
  const { facets } = tokens;
  if (facets.length === 0) return 0;
  let unknown = 0;
  for (let j = 0; j < facets.length; j++) if (!profile.facets.has(facets[j])) unknown++;
  return unknown / facets.length;
}

export interface ExploreInput {
  rate: number;
  /** Leading positions exploration may use (the personalised ones). */
  window: number;
  /** Whether the visitor was ever shown candidate `i` (or used it). */
  shown(index: number): boolean;
  /** How little the taste knows candidate `i`, 0..1 (`uncertainty`). */
  uncertainty(index: number): number;
}

/**
 * Moves into each exploration slot the not-yet-shown item below it with the highest
 * (1 - its place / n) + uncertainty; items the taste fully knows (uncertainty 0) are never chosen.
 * Returns the new order and the items moved.
 */
export function explore(order: readonly number[], input: ExploreInput): { order: number[]; explored: number[] } {
  const out = [...order];
  const n = out.length;
  const place = new Map(order.map((i, p) => [i, p]));
  const explored: number[] = [];
  for (const slot of explorationSlots(input.rate, Math.min(input.window, n))) {
    let best = -1;
    let bestValue = -Infinity;
    for (let p = slot; p < n; p++) {
      const i = out[p];
      const u = input.uncertainty(i);
      if (u <= 0 || input.shown(i)) continue;
      const value = 1 - place.get(i)! / n + u;
      if (value > bestValue) {
        bestValue = value;
        best = p;
      }
    }
    if (best < 0) break;
    const [moved] = out.splice(best, 1);
    out.splice(slot, 0, moved);
    explored.push(moved);
  }
  return { order: out, explored };
}
