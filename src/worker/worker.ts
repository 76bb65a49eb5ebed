/**
 * The worker entry: exposes one Engine per worker through comlink. Loaded lazily by the page.
 */
import { expose, transfer } from 'comlink';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { LocalrankError } from '../shared/errors';
import { installErrorTransfer, type WorkerApi, type WorkerCallbacks, type WorkerInit } from '../shared/protocol';
import { Engine } from './engine';
import { installFaultHooks } from './faults';

installErrorTransfer();
installFaultHooks(self);

let engine: Engine | null = null;

function current(): Engine {
  if (!engine) throw new LocalrankError('WORKER_FAILED', 'the engine is not initialised');
  return engine;
}

const api: WorkerApi = {
  async init(config: WorkerInit, callbacks: WorkerCallbacks) {
    const { wasmPaths, ...settings } = config;
    // The page names every file (src/page/engine-files.ts): this worker may be anywhere an app's bundler put it.
    setWasmPaths(wasmPaths);
    engine = await Engine.create({
      ...settings,
      onProgress: (p) => void callbacks.progress(p),
      onTrain: (r) => void callbacks.trained(r),
      onRecovered: (backend, reason) => void callbacks.recovered(backend, reason),
      onDegraded: (failure) => void callbacks.degraded(failure),
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
