/**
 * The personalizer as a page uses it, in Node: the page-side client, comlink over a real
 * MessageChannel, and the real Engine on an IndexedDB of the test's own (fake-indexeddb), exposed
 * as worker.ts exposes it.
 */
import type { IDBFactory } from 'fake-indexeddb';
import { expose } from 'comlink';
import { Client } from '../../src/page/client';
import type { Retention, WorkerApi, WorkerInit } from '../../src/shared/protocol';
import type { PersonalizerOptions } from '../../src/shared/types';
import { Engine } from '../../src/worker/engine';
import { modelPartOf } from '../../src/worker/model/part';
import type { Scorer } from '../../src/worker/model/scorer';

/** A worker made of a MessageChannel and the real Engine. */
export function engineWorker(scorer: Scorer, idbFactory: IDBFactory, clock: () => number): Worker {
  const { port1, port2 } = new MessageChannel();
  let engine: Engine | null = null;
  const current = () => engine ?? Promise.reject(new Error('no engine'));
  const api: WorkerApi = {
    async init(config) {
      const { wasmPaths: _, model: __, modelPart: ___, ...settings } = config;
      engine = await Engine.create({ ...settings, model: modelPartOf(scorer), idbFactory, now: clock });
      return engine.info();
    },
    track: async (events) => (await current()).trackChecked(events),
    rerank: async (candidates, options) => (await current()).rerankChecked(candidates, options ?? {}),
    train: async () => (await current()).train(),
    info: async () => (await current()).info(),
    exportData: async () => (await current()).exportData(),
    forget: async () => (await current()).forget(),
    ping: async () => true,
    async close() {
      await engine?.close();
      engine = null;
    },
  };
  expose(api, port2);
  return Object.assign(port1, {
    terminate() {
      void engine?.close();
      port1.close();
      port2.close();
    },
  }) as unknown as Worker;
}

/** A started client whose worker is {@link engineWorker}. */
export function openClient(scorer: Scorer, namespace: string, idbFactory: IDBFactory, retention: Retention, clock: () => number, options: PersonalizerOptions = {}): Promise<Client> {
  const init: WorkerInit = { model: 'https://shop.example/model.json', namespace, backend: 'cpu', loadModel: 'lazy', modelPart: 'https://shop.example/assets/model.js', retention, autoTrain: false,
    fineTune: false, wasmPaths: 'https://shop.example/wasm/' };
  const client = new Client(init, { timeoutMs: 30_000, ...options }, () => engineWorker(scorer, idbFactory, clock));
  return client.start().then(() => client);
}
