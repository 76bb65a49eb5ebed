import { checkPersonalizerOptions } from '../shared/options';
import type { Personalizer, PersonalizerOptions } from '../shared/types';
import { Client } from './client';
import { engineFiles } from './engine-files';

/**
 * Starts localrank for this page. Resolves once the engine is ready, or once it has failed to
 * start, in which case every `rerank` answers with the server's order and the worker is retried
 * in the background. Rejects only for invalid options.
 */
export async function createPersonalizer(options: PersonalizerOptions = {}): Promise<Personalizer> {
  const files = engineFiles();
  const init = checkPersonalizerOptions(options, files);
  const client = new Client(init, options, () => new Worker(files.worker, { type: 'module', name: 'localrank' }));
  await client.start();
  return client;
}
