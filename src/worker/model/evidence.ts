/**
 * How much the pretrained model knows about an item and about a visitor's history, 0..1. The
 * model's score of an item counts only this far: an item whose id and tokens the model never saw
 * gets a vector of untrained rows, noise that must never move a page.
 */
import type { ItemFeatures } from '../../shared/types';
import { featureTokens } from '../ranking/features';

/** What a model declares it was trained on (see `ModelManifest.vocabulary`). */
export interface ModelKnowledge {
  /** Row of the id table for an id; 0 when unknown. */
  row(id: string): number;
  /** Content tokens the item tower was trained on; null when the model does not say. */
  readonly knownTokens: ReadonlySet<string> | null;
  readonly maxHistory: number;
}

/**
 * An item known by id is fully known. Otherwise only its content speaks, and counts for half at
 * most: the share of its tokens the model was trained on.
 */
export const CONTENT_TRUST = 0.5;

export function itemEvidence(model: ModelKnowledge, id: string, features: ItemFeatures | undefined): number {
  if (model.row(id) > 0) return 1;
  if (!model.knownTokens) return 0;
  const tokens = featureTokens(features);
  if (tokens.length === 0) return 0;
  let known = 0;
  for (const t of tokens) if (model.knownTokens.has(t)) known++;
  return (CONTENT_TRUST * known) / tokens.length;
}

/** Mean evidence of the history items the user tower reads; 0 for an empty history. */
export function historyEvidence(model: ModelKnowledge, history: ReadonlyArray<{ itemId: string; features?: ItemFeatures }>): number {
  const window = history.slice(-model.maxHistory);
  if (window.length === 0) return 0;
  let sum = 0;
  for (const h of window) sum += itemEvidence(model, h.itemId, h.features);
  return sum / window.length;
}
