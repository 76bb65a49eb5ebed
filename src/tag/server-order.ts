import type { Fallback } from '../shared/errors';
import { plainServerOrder, serverOrderResult } from '../shared/fallback';
import type { Arm, Candidate, RerankOptions, RerankResult } from '../shared/types';

/** Whatever the page passed as candidates, even input too broken to validate, as a list. */
function listOf(candidates: unknown): Array<Partial<Candidate> | null> {
  return Array.isArray(candidates) ? (candidates as Array<Partial<Candidate> | null>) : [];
}

/**
 * The server's order for whatever the page passed, with the rules of `options` when they can be
 * applied to it. In the tag's list part, which holds the rules (list-part.ts).
 */
export function serverOrder(candidates: unknown, failure: Fallback, options?: RerankOptions, arm: Arm = 'control'): RerankResult {
  try {
    if (options) return serverOrderResult(listOf(candidates) as Candidate[], failure, options, arm);
  } catch (error) {
    console.debug('[localrank] rules not applied', error);
  }
  return unruledOrder(candidates, failure, arm);
}

/** The server's order for whatever the page passed, without rules: what the tag answers where its list part is missing. */
export function unruledOrder(candidates: unknown, failure: Fallback, arm: Arm = 'control'): RerankResult {
  return plainServerOrder(listOf(candidates).map((c) => ({ id: String(c?.id) })), failure, arm);
}
