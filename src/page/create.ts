import * as env from '../shared/env';
import { checkPersonalizerOptions } from '../shared/options';
import type { Personalizer, PersonalizerOptions } from '../shared/types';
import { Client } from './client';

/** Where the bundled default model lives: beside the library file, or at the site root in dev. */
const DEFAULT_MODEL_PATH = 'models/default/manifest.json';

export function defaultModelUrl(): string {
  const base = __MODEL_BESIDE_MODULE__ ? import.meta.url : env.documentBaseUrl();
  return new URL(DEFAULT_MODEL_PATH, base).href;
}

/**
 * Starts localrank for this page. Resolves once the engine is ready, or once it has failed to
 * start, in which case every `rerank` answers with the server's order and the worker is retried
 * in the background. Rejects only for invalid options.
 */
export async function createPersonalizer(options: PersonalizerOptions = {}): Promise<Personalizer> {
  const init = checkPersonalizerOptions(options, defaultModelUrl());
  const client = new Client(init, options, () =>
    new Worker(new URL('../worker/worker.ts', import.meta.url), { type: 'module', name: 'localrank' }),
  );
  await client.start();
  return client;
}
