/**
 * How alike two items are, from what the shop says about them: the overlap of their facets
 * (category levels and paths, brand, tags, attributes, price band). Diversity and explanations use
 * it, so both work on any catalogue and speak the shop's own terms.
 */
import type { ItemTokens } from './taste';

/** Jaccard overlap of two items' facets, 0..1; 0 when either has none. */
export function facetSimilarity(a: ItemTokens, b: ItemTokens): number {
  if (a.facets.length === 0 || b.facets.length === 0) return 0;
  const set = new Set<number>(a.facets);
  let shared = 0;
  for (const t of b.facets) if (set.has(t)) shared++;
  return shared / (a.facets.length + b.facets.length - shared);
}
