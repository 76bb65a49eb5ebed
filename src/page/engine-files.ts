/**
 * Where the engine's files are: the worker, the model part it imports where the model can
 * contribute, the default model and the wasm binaries. The worker resolves no URL itself; the page
 * hands it these.
 *
 * In the published `dist/localrank.js` each file is named by a literal
 * `new URL('./…', import.meta.url)`, the one pattern by which Vite, webpack 5 and Rollup's
 * import-meta-assets plugin copy a dependency's file into an app (they leave a variable or a
 * folder alone), so an app's bundler emits exactly these files and rewrites the URLs to match.
 */
import * as env from '../shared/env';

export interface EngineFiles {
  worker: URL;
  /** The model part's chunk (TensorFlow.js, the scorer), which the worker imports only when it can contribute. */
  modelPart: string;
  /** The default model's manifest. */
  model: string;
  /** The default model's weights, where a bundler may have put them apart from the manifest. */
  modelWeights?: string;
  /** The wasm binaries: one URL per file, or a folder. */
  wasm: string | Record<string, string>;
}

export function engineFiles(): EngineFiles {
  if (__LIBRARY__) {
    return {
      worker: new URL(/* @vite-ignore */ __WORKER_URL__, import.meta.url),
      modelPart: new URL(/* @vite-ignore */ __MODEL_PART_URL__, import.meta.url).href,
      model: new URL(/* @vite-ignore */ './models/default/manifest.json', import.meta.url).href,
      modelWeights: new URL(/* @vite-ignore */ './models/default/weights.bin', import.meta.url).href,
      wasm: {
        'tfjs-backend-wasm.wasm': new URL(/* @vite-ignore */ './wasm/tfjs-backend-wasm.wasm', import.meta.url).href,
        'tfjs-backend-wasm-simd.wasm': new URL(/* @vite-ignore */ './wasm/tfjs-backend-wasm-simd.wasm', import.meta.url).href,
        'tfjs-backend-wasm-threaded-simd.wasm': new URL(/* @vite-ignore */ './wasm/tfjs-backend-wasm-threaded-simd.wasm', import.meta.url).href,
      },
    };
  }
  // The demo, built or served by Vite: the model comes from the site root (public/), the wasm
  // binaries from node_modules in dev and from `wasm/` beside `assets/` in the build.
  return {
    worker: new URL(/* @vite-ignore */ __WORKER_URL__, import.meta.url),
    modelPart: new URL(/* @vite-ignore */ __MODEL_PART_URL__, import.meta.url).href,
    model: new URL('models/default/manifest.json', env.documentBaseUrl()).href,
    wasm: __DEV__ ? '/node_modules/@tensorflow/tfjs-backend-wasm/dist/' : new URL(/* @vite-ignore */ '../wasm/', import.meta.url).href,
  };
}
