/**
 * The worker entry: exposes one Engine per worker through comlink. Loaded lazily by the page. This
 * chunk holds no TensorFlow.js: the model part is imported from the URL the page names, only where
 * the model can contribute (see engine.ts).
 */
import { expose, transfer } from 'comlink';
import { LocalrankError } from '../shared/errors';
import { installErrorTransfer, type WorkerApi, type WorkerCallbacks, type WorkerInit } from '../shared/protocol';
import { Engine } from './engine';
import type { ModelPartModule } from './model/contract';
import { installFaultHooks } from './faults';

installErrorTransfer();

let engine: Engine | null = null;

installFaultHooks(self, () => engine?.loseGpu());

function current(): Engine {
  if (!engine) throw new LocalrankError('WORKER_FAILED', 'the engine is not initialised');
  return engine;
}

const api: WorkerApi = {
  async init(config: WorkerInit, callbacks: WorkerCallbacks) {
    // The page names every file (src/page/engine-files.ts): this worker may be anywhere an app's bundler put it.
    const { modelPart, ...settings } = config;
    engine = await Engine.create({
      ...settings,
      modelPart: () => import(/* @vite-ignore */ modelPart) as Promise<ModelPartModule>,
      onProgress: (p) => void callbacks.progress(p),
      onTrain: (r) => void callbacks.trained(r),
      onRecovered: (backend, reason) => void callbacks.recovered(backend, reason),
    });
    return engine.info();
  },
  track: (events) => current().trackChecked(events),
  async rerank(candidates, options) {
    const ranking = await current().rerankChecked(candidates, options ?? {});
    return transfer(ranking, [ranking.order.buffer, ranking.scores.buffer, ranking.modelScores.buffer]);
  },
  train: () => current().train(),
  info: () => current().info(),
  exportData: () => current().exportData(),
  forget: () => current().forget(),
  ping: async () => true,
  async close() {
    await engine?.close();
    engine = null;
  },
};

expose(api);
