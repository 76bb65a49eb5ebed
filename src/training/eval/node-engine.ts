/** Engines for the Node-side evaluation: one fresh in-memory store per user, on the shared scorer. */
import { IDBFactory } from 'fake-indexeddb';
import { Engine } from '../../worker/engine';
import { modelPartOf } from '../../worker/model/part';
import type { Scorer } from '../../worker/model/scorer';
import type { EngineFactory } from './eval-core';

/** No retention limit can drop a replayed history: whole histories span years. */
const KEEP_EVERYTHING = { maxEvents: 100_000, maxAgeDays: 1_000_000 };

export function nodeEngineFactory(scorer: Scorer, prefix: string): EngineFactory {
  return (user, clock, { learn }) =>
    Engine.create({
      learn,
      model: modelPartOf(scorer),
      namespace: `${prefix}-${user}`,
      backend: 'wasm',
      retention: KEEP_EVERYTHING,
      autoTrain: false,
      idbFactory: new IDBFactory(),
      now: clock,
    });
}
