import type { Fallback } from './errors';
import type { RerankResult } from './types';

/** The server's order, as `rerank` answers whenever the engine cannot: every failure ends here. */
export function serverOrderResult(
  candidates: readonly { id: string | number }[],
  failure: Fallback,
): RerankResult {
  return {
    items: candidates.map((c, i) => ({ id: String(c.id), score: -i, modelScore: null, serverRank: i })),
    personalized: false,
    fallback: failure,
    computeMs: 0,
  };
}
