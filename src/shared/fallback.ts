import type { Fallback } from './errors';
import type { Arm, ItemFeatures, RerankOptions, RerankResult } from './types';
import { applyRules, hasRules } from '../worker/ranking/rules';

/**
 * The server's order, as `rerank` answers whenever the engine cannot (every failure ends here) and
 * for the holdout's control arm: by score when every candidate has one (as the worker orders), else
 * as given; with the shop's rules applied, since they hold in every result.
 */
export function serverOrderResult(
  candidates: readonly { id: string | number; score?: number; features?: ItemFeatures }[],
  failure: Fallback,
  options: RerankOptions = {},
  arm: Arm = 'treatment',
): RerankResult {
  const n = candidates.length;
  const ids = candidates.map((c) => String(c.id));
  const server = Array.from({ length: n }, (_, i) => i);
  if (candidates.every((c) => typeof c.score === 'number')) server.sort((a, b) => candidates[b].score! - candidates[a].score! || a - b);
  const rank = new Map(server.map((i, r) => [i, r]));
  const { order, excluded } = hasRules(options)
    ? applyRules(options, { ids, features: (i) => candidates[i].features, order: server, server })
    : { order: server, excluded: [] };
  const result: RerankResult = {
    items: Array.from(order, (i) => ({ id: ids[i], score: -rank.get(i)!, modelScore: null, serverRank: i })),
    personalized: false,
    fallback: failure,
    arm,
    computeMs: 0,
  };
  if (excluded.length) result.excluded = excluded.map(({ index, rule }) => ({ id: ids[index], serverRank: index, rule }));
  return result;
}
