import type { Fallback } from './errors';
import type { Arm, ItemFeatures, RerankOptions, RerankResult } from './types';
import { applyRules, hasRules } from '../worker/ranking/rules';

type ServerCandidate = { id: string | number; score?: number; features?: ItemFeatures };

/**
 * The server's order, as `rerank` answers whenever the engine cannot (every failure ends here) and
 * for the holdout's control arm: by score when every candidate has one (as the worker orders), else
 * as given; with the shop's rules applied, since they hold in every result.
 */
export function serverOrderResult(candidates: readonly ServerCandidate[], failure: Fallback, options: RerankOptions = {}, arm: Arm = 'treatment'): RerankResult {
  const server = serverIndices(candidates);
  if (!hasRules(options)) return resultOf(candidates, server, server, failure, arm);
  const ids = candidates.map((c) => String(c.id));
  const { order, excluded } = applyRules(options, { ids, features: (i) => candidates[i].features, order: server, server });
  const result = resultOf(candidates, server, order, failure, arm);
  if (excluded.length) result.excluded = excluded.map(({ index, rule }) => ({ id: ids[index], serverRank: index, rule }));
  return result;
}

/**
 * The server's order without the shop's rules: for the script tag where its list part (which holds
 * the rules) could not load. Keeps the rules module out of the tag's own file.
 */
export function plainServerOrder(candidates: readonly ServerCandidate[], failure: Fallback, arm: Arm): RerankResult {
  const server = serverIndices(candidates);
  return resultOf(candidates, server, server, failure, arm);
}

/** Indices by score when every candidate has one, else as given. */
function serverIndices(candidates: readonly ServerCandidate[]): number[] {
  const server = Array.from({ length: candidates.length }, (_, i) => i);
  if (candidates.every((c) => typeof c.score === 'number')) server.sort((a, b) => candidates[b].score! - candidates[a].score! || a - b);
  return server;
}

function resultOf(candidates: readonly ServerCandidate[], server: readonly number[], order: ArrayLike<number>, failure: Fallback, arm: Arm): RerankResult {
  const rank = new Map(server.map((i, r) => [i, r]));
  return {
    items: Array.from(order, (i) => ({ id: String(candidates[i].id), score: -rank.get(i)!, modelScore: null, serverRank: i })),
    personalized: false,
    fallback: failure,
    arm,
    computeMs: 0,
  };
}
