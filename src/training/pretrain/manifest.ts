/**
 * The `localrank-model/1` manifest as training writes it, in one place: tensors and weights digest,
 * the item ids of the table, and what the model knows besides (the content tokens of its training
 * catalogue, how it was trained).
 */
import { createHash } from 'node:crypto';
import type { ItemFeatures } from '../../shared/types';
import { fnv1a, featureTokens } from '../../worker/ranking/features';
import type { ModelManifest } from '../../worker/model/scorer';
import type { ScorerConfig } from '../../worker/model/tower';
import type { Dataset } from '../data/dataset';

/** The manifest training writes (the optional `vocabulary`, `card` and `ranker` included). */
export type TrainedManifest = ModelManifest;

/**
 * The tokens of an item the model actually hashes: `featureBuckets` stops after `maxTokens`
 * distinct buckets, so later tokens never reach the model.
 */
export function usedTokens(features: ItemFeatures | undefined, buckets: number, maxTokens: number): string[] {
  if (buckets <= 1 || maxTokens <= 0) return [];
  const seen = new Set<number>();
  const out: string[] = [];
  for (const token of featureTokens(features)) {
    seen.add(1 + (fnv1a(token) % (buckets - 1)));
    out.push(token);
    if (seen.size >= maxTokens) break;
  }
  return out;
}

const vocabularies = new WeakMap<Dataset, Map<string, string[]>>();

/** Sorted distinct tokens of the dataset's items under `config` (empty without content features). */
export function vocabularyOf(data: Dataset, config: ScorerConfig): string[] {
  if (!data.features || config.hashBuckets <= 0) return [];
  const key = `${config.hashBuckets}/${config.maxTokens}`;
  let cache = vocabularies.get(data);
  if (!cache) vocabularies.set(data, (cache = new Map()));
  let tokens = cache.get(key);
  if (!tokens) {
    const set = new Set<string>();
    for (const f of data.features) for (const t of usedTokens(f, config.hashBuckets, config.maxTokens)) set.add(t);
    tokens = [...set].sort();
    cache.set(key, tokens);
  }
  return tokens;
}

/** The manifest of weights `bytes` laid out as `tensors`, for a model of `data` under `config`. */
export function modelManifest(
  data: Dataset,
  config: ScorerConfig,
  tensors: ModelManifest['tensors'],
  bytes: Uint8Array,
): TrainedManifest {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const date = new Date().toISOString().slice(0, 10);
  const manifest: TrainedManifest = {
    format: 'localrank-model/1',
    version: `${data.name}-${date}-${sha256.slice(0, 8)}`,
    weights: { path: 'weights.bin', byteLength: bytes.byteLength, sha256 },
    tensors,
    items: { ids: data.itemIds },
    config,
  };
  const tokens = vocabularyOf(data, config);
  if (tokens.length > 0) manifest.vocabulary = { tokens };
  return manifest;
}

/** Records how the model was trained (dataset, epochs, validation, options) in its config. */
export function withTraining(manifest: ModelManifest, training: Record<string, unknown>): TrainedManifest {
  return { ...manifest, config: { ...manifest.config, training } };
}
