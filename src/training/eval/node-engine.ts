/**
 * Engines for the Node-side evaluation: one fresh in-memory store per user, on a model loaded
 * once and shared by them (a two-tower scorer, or a cross model's tensors).
 */
import { IDBFactory } from 'fake-indexeddb';
import { Engine } from '../../worker/engine';
import { isCrossManifest, type AnyManifest } from '../../worker/model/cross-manifest';
import { crossModelOf } from '../../worker/model/cross-part';
import type { ModelPart } from '../../worker/model/contract';
import { modelPartOf } from '../../worker/model/part';
import { Scorer, type ModelManifest } from '../../worker/model/scorer';
import type { EngineFactory } from './eval-core';

/** No retention limit can drop a replayed history: whole histories span years. */
const KEEP_EVERYTHING = { maxEvents: 100_000, maxAgeDays: 1_000_000 };

export interface NodeEngineFactory extends EngineFactory {
  /** Releases the model's tensors once every engine is closed. */
  dispose(): void;
}

/** A scorer (two-tower, sequence protocols) or a model's artifacts (either kind). */
export function nodeEngineFactory(model: Scorer | { manifest: AnyManifest; weights: ArrayBuffer }, prefix: string): NodeEngineFactory {
  const shared = sharedModel(model);
  const factory: EngineFactory = (user, clock, { learn, model: withModel = true, fineTune = false }) => {
    if (!withModel && !shared.manifest) throw new Error('an engine without its scorer needs the model\'s manifest');
    return Engine.create({
      learn,
      fineTune,
      model: withModel ? shared.part() : { manifest: shared.manifest! },
      namespace: `${prefix}-${user}`,
      backend: 'wasm',
      retention: KEEP_EVERYTHING,
      autoTrain: false,
      idbFactory: new IDBFactory(),
      now: clock,
    });
  };
  return Object.assign(factory, { dispose: shared.dispose });
}

function sharedModel(model: Scorer | { manifest: AnyManifest; weights: ArrayBuffer }): { part(): ModelPart; manifest?: AnyManifest; dispose(): void } {
  if (model instanceof Scorer) return { part: () => modelPartOf(model), dispose: () => undefined };
  if (isCrossManifest(model.manifest)) return { ...crossModelOf(model.manifest, model.weights), manifest: model.manifest };
  const scorer = Scorer.fromArtifacts(model.manifest as ModelManifest, model.weights);
  return { part: () => modelPartOf(scorer), manifest: model.manifest, dispose: () => scorer.dispose() };
}
