/**
 * Downloads a model (manifest + weights) and refuses anything that does not match its manifest:
 * wrong size, wrong SHA-256, or a manifest of another format. A refused model is never used.
 */
import { LocalrankError } from '../shared/errors';
import type { LoadProgress } from '../shared/types';
import type { ModelManifest } from './scorer';

export interface ModelArtifacts {
  manifest: ModelManifest;
  weights: ArrayBuffer;
}

export interface LoadOptions {
  /** The weights' URL, when not where the manifest says (an app's bundler emitted them elsewhere). */
  weights?: string;
  fetch?: typeof fetch;
  onProgress?: (progress: LoadProgress) => void;
}

export async function loadModel(manifestUrl: string, options: LoadOptions = {}): Promise<ModelArtifacts> {
  const doFetch = options.fetch ?? fetch;
  options.onProgress?.({ status: 'download', url: manifestUrl });
  const manifest = checkManifest(await readJson(await get(doFetch, manifestUrl), manifestUrl), manifestUrl);
  const weightsUrl = options.weights ?? new URL(manifest.weights.path, manifestUrl).href;
  const weights = await readWithProgress(await get(doFetch, weightsUrl), weightsUrl, manifest.weights.byteLength, options);
  await verify(weights, manifest);
  return { manifest, weights };
}

/** What to do when the model is not where localrank looked. */
const WHERE_TO_PUT_IT =
  "Serve localrank's model files there (an app's bundler emits them from `dist/localrank.js`; see Install in the README), or set the `model` option to your manifest.json's URL.";

async function get(doFetch: typeof fetch, url: string): Promise<Response> {
  let response: Response;
  try {
    response = await doFetch(url);
  } catch (error) {
    throw new LocalrankError('MODEL_LOAD_FAILED', `could not fetch ${url}: ${String(error)}`);
  }
  if (response.status === 404) throw new LocalrankError('MODEL_LOAD_FAILED', `no model at ${url} (HTTP 404). ${WHERE_TO_PUT_IT}`);
  if (!response.ok) throw new LocalrankError('MODEL_LOAD_FAILED', `fetching ${url} failed with HTTP ${response.status}`);
  return response;
}

/**
 * The manifest's JSON. Anything else means no model is there: servers and dev servers with a
 * single-page-app fallback answer a missing file with their index.html.
 */
async function readJson(response: Response, url: string): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    const what = /^\s*</.test(text) ? 'an HTML page' : 'something that is not JSON';
    throw new LocalrankError('MODEL_LOAD_FAILED', `no model at ${url}: it answered with ${what}, not a model manifest. ${WHERE_TO_PUT_IT}`);
  }
}

async function readWithProgress(
  response: Response,
  url: string,
  total: number,
  options: LoadOptions,
): Promise<ArrayBuffer> {
  if (!response.body || !options.onProgress) return response.arrayBuffer();
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    options.onProgress({ status: 'progress', url, loaded, total });
  }
  const out = new Uint8Array(loaded);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out.buffer;
}

function checkManifest(value: unknown, url: string): ModelManifest {
  const m = value as Partial<ModelManifest> | null;
  const ok =
    m !== null &&
    typeof m === 'object' &&
    m.format === 'localrank-model/1' &&
    typeof m.version === 'string' &&
    typeof m.weights?.path === 'string' &&
    typeof m.weights.byteLength === 'number' &&
    typeof m.weights.sha256 === 'string' &&
    Array.isArray(m.tensors) &&
    Array.isArray(m.items?.ids);
  if (!ok) throw new LocalrankError('MODEL_INTEGRITY', `${url} is not a localrank-model/1 manifest`);
  return m as ModelManifest;
}

async function verify(weights: ArrayBuffer, manifest: ModelManifest): Promise<void> {
  if (weights.byteLength !== manifest.weights.byteLength) {
    throw new LocalrankError(
      'MODEL_INTEGRITY',
      `weights are ${weights.byteLength} bytes, the manifest says ${manifest.weights.byteLength} (truncated download?)`,
    );
  }
  const digest = await sha256Hex(weights);
  if (digest !== manifest.weights.sha256.toLowerCase()) {
    throw new LocalrankError('MODEL_INTEGRITY', `weights SHA-256 ${digest} does not match the manifest`);
  }
}

export async function sha256Hex(data: ArrayBuffer): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
  return Array.from(hash, (b) => b.toString(16).padStart(2, '0')).join('');
}
