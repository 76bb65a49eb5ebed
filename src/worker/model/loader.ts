/**
 * Downloads a model (manifest + weights) and refuses anything that does not match its manifest:
 * wrong size, wrong SHA-256, a manifest of another format or beyond `MODEL_LIMITS`. Both files are
 * streamed with a byte limit (the weights: the size the manifest declares, itself capped), so a
 * hostile or broken server cannot make the page read without end. A refused model is never used.
 */
import { LocalrankError } from '../../shared/errors';
import type { LoadProgress } from '../../shared/types';
import { MODEL_LIMITS, checkManifestShape, type ModelManifest } from './scorer';

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
  const manifestBytes = await readLimited(await get(doFetch, manifestUrl), manifestUrl, MODEL_LIMITS.manifestBytes, false);
  const manifest = checkManifest(parseJson(manifestBytes, manifestUrl), manifestUrl);
  // Sizes, shapes and limits are checked before a byte of weights is read.
  checkManifestShape(manifest);
  const weightsUrl = options.weights ?? new URL(manifest.weights.path, manifestUrl).href;
  const weights = await readLimited(await get(doFetch, weightsUrl), weightsUrl, manifest.weights.byteLength, true, options.onProgress);
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
 * Reads a response as a stream into a buffer of at most `limit` bytes: a response that goes on
 * beyond it (an endless or oversized body) is cancelled there and refused, never read to its end.
 * `exact`: the manifest declared the size, so the body must be exactly `limit` bytes.
 */
async function readLimited(
  response: Response,
  url: string,
  limit: number,
  exact: boolean,
  onProgress?: LoadOptions['onProgress'],
): Promise<ArrayBuffer> {
  const tooLong = () => new LocalrankError('MODEL_INTEGRITY', `${url} holds more than the ${limit} bytes ${exact ? 'its manifest declares' : 'a manifest may have'}`);
  if (!response.body) {
    const buffer = await response.arrayBuffer();
    if (buffer.byteLength > limit) throw tooLong();
    return buffer;
  }
  const reader = response.body.getReader();
  // Declared weights go straight into one buffer of their size; a manifest grows as it arrives.
  const out = exact ? new Uint8Array(limit) : null;
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (loaded + value.byteLength > limit) throw tooLong();
      if (out) out.set(value, loaded);
      else chunks.push(value);
      loaded += value.byteLength;
      onProgress?.({ status: 'progress', url, loaded, total: limit });
    }
  } catch (error) {
    await reader.cancel().catch(() => undefined);
    if (error instanceof LocalrankError) throw error;
    throw new LocalrankError('MODEL_LOAD_FAILED', `reading ${url} failed: ${String(error)}`);
  }
  if (out) return loaded === limit ? out.buffer : out.slice(0, loaded).buffer;
  const joined = new Uint8Array(loaded);
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return joined.buffer;
}

/**
 * The manifest's JSON. Anything else means no model is there: servers and dev servers with a
 * single-page-app fallback answer a missing file with their index.html.
 */
function parseJson(bytes: ArrayBuffer, url: string): unknown {
  const text = new TextDecoder().decode(bytes);
  try {
    return JSON.parse(text);
  } catch {
    const what = /^\s*</.test(text) ? 'an HTML page' : 'something that is not JSON';
    throw new LocalrankError('MODEL_LOAD_FAILED', `no model at ${url}: it answered with ${what}, not a model manifest. ${WHERE_TO_PUT_IT}`);
  }
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
