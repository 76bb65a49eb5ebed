/**
 * A model's manifest, read by the engine itself, without TensorFlow.js: the small JSON that says
 * what the model is (version, ranker head, card, how much history it reads) and what it knows (the
 * ids of its table, the content tokens it was trained on). From it the engine ranks with the head
 * at once, and decides whether the model part (weights, towers, a backend: `part.ts`) can contribute
 * on this shop at all before a byte of it is downloaded.
 *
 * The manifest is streamed with a byte limit, like the weights (`loader.ts`, which shares these
 * helpers), so a hostile or broken server cannot make the worker read without end.
 */
import { LocalrankError } from '../../shared/errors';
import type { ItemFeatures, LoadProgress } from '../../shared/types';
import { featureTokens } from '../ranking/features';
import type { AnyManifest, CrossManifest } from './cross-manifest';
import { integrity, isInt } from './layout';
import type { ModelCard, ModelManifest, RankerSpec } from './manifest-types';

/**
 * Limits of the fields the engine reads, the same as `MODEL_LIMITS` (scorer.ts, which imports
 * TensorFlow.js and so stays out of the engine's chunk; a unit test keeps the two equal).
 */
export const MANIFEST_LIMITS = {
  manifestBytes: 16 * 2 ** 20,
  vocabulary: 1_000_000,
  maxHistory: 512,
  headWeight: 1e3,
} as const;

/** What the engine reads of a model without running it. */
export interface ModelInfo {
  /** Changes whenever the weights change: reactions learned on the device are tagged with it. */
  version: string;
  /** Most recent interactions the model reads. */
  maxHistory: number;
  ranker?: RankerSpec;
  card?: ModelCard;
  /** The ids of its id table. */
  ids: ReadonlySet<string>;
  /** The content tokens its item tower was trained on; null when the manifest does not say. */
  tokens: ReadonlySet<string> | null;
}

export function modelInfo(manifest: AnyManifest): ModelInfo {
  return {
    version: manifest.version,
    maxHistory: isCross(manifest) ? manifest.config.history : manifest.config.maxHistory,
    ranker: manifest.ranker,
    card: manifest.card,
    ids: new Set(manifest.items.ids),
    tokens: manifest.vocabulary ? new Set(manifest.vocabulary.tokens) : null,
  };
}

/** The fewest interactions from which the model's term helps (its card says so; 1 when it does not). */
export function minHistory(info: ModelInfo): number {
  return info.card?.minHistory ?? 1;
}

/** The model reads any catalogue (its card says so): it can contribute on every shop. */
export function readsAnyCatalogue(info: ModelInfo): boolean {
  return info.card?.readsAnyCatalogue === true;
}

/** The model knows something of this item: its id, or one of its content tokens. */
export function knowsItem(info: ModelInfo, id: string, features: ItemFeatures | undefined): boolean {
  if (info.ids.has(id)) return true;
  if (!info.tokens || !features) return false;
  for (const token of featureTokens(features)) if (info.tokens.has(token)) return true;
  return false;
}

export interface ReadOptions {
  fetch?: typeof fetch;
  onProgress?: (progress: LoadProgress) => void;
}

/** Downloads a manifest and checks the fields the engine reads (the model part checks the rest). */
/** The cross scorer's manifest (cross-manifest.ts), told apart here without importing what it imports. */
function isCross(manifest: AnyManifest): manifest is CrossManifest {
  return (manifest.config as { kind?: unknown }).kind === 'cross';
}

export async function readManifest(url: string, options: ReadOptions = {}): Promise<AnyManifest> {
  const doFetch = options.fetch ?? fetch;
  options.onProgress?.({ status: 'download', url });
  const bytes = await readLimited(await get(doFetch, url), url, MANIFEST_LIMITS.manifestBytes, false);
  const manifest = checkManifest(parseJson(bytes, url), url);
  checkEngineFields(manifest);
  return manifest;
}



/** The fields the engine itself reads, checked as `checkManifestShape` (scorer.ts) checks them. */
function checkEngineFields(manifest: AnyManifest): void {
  if (!manifest.version) integrity('manifest has no version');
  if (!manifest.config || typeof manifest.config !== 'object') integrity('manifest has no config');
  const history = isCross(manifest) ? manifest.config.history : manifest.config.maxHistory;
  if (!isInt(history, 1, MANIFEST_LIMITS.maxHistory)) integrity(`config.${isCross(manifest) ? 'history' : 'maxHistory'} must be an integer from 1 to ${MANIFEST_LIMITS.maxHistory}`);
  if (manifest.items.ids.some((id) => typeof id !== 'string')) integrity('items.ids must be strings');
  const tokens = manifest.vocabulary?.tokens;
  if (manifest.vocabulary !== undefined && (!Array.isArray(tokens) || tokens.length > MANIFEST_LIMITS.vocabulary || tokens.some((t) => typeof t !== 'string'))) {
    integrity(`vocabulary.tokens must be at most ${MANIFEST_LIMITS.vocabulary} strings`);
  }
  const card = manifest.card;
  if (card !== undefined && (typeof card !== 'object' || card === null || !Array.isArray(card.datasets) || typeof card.priorBeatsServer !== 'boolean')) {
    integrity('card must have datasets and priorBeatsServer');
  }
  if (card?.readsAnyCatalogue !== undefined && typeof card.readsAnyCatalogue !== 'boolean') integrity('card.readsAnyCatalogue must be a boolean');
  if (card?.minHistory !== undefined && !(Number.isInteger(card.minHistory) && (card.minHistory as number) >= 1 && (card.minHistory as number) <= 1000)) integrity('card.minHistory must be an integer from 1 to 1000');
  const bound = MANIFEST_LIMITS.headWeight;
  const finite = (head: unknown) => typeof head === 'object' && head !== null && Object.values(head).every((w) => typeof w === 'number' && Number.isFinite(w) && Math.abs(w) <= bound);
  if (manifest.ranker !== undefined && !finite(manifest.ranker.weights)) integrity('ranker.weights must be finite numbers');
  if (manifest.ranker?.alone !== undefined && !finite(manifest.ranker.alone)) integrity('ranker.alone must be finite numbers');
}

/** What to do when the model is not where localrank looked. */
const WHERE_TO_PUT_IT =
  "Serve localrank's model files there (an app's bundler emits them from `dist/localrank.js`; see Install in the README), or set the `model` option to your manifest.json's URL.";

export async function get(doFetch: typeof fetch, url: string): Promise<Response> {
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
export async function readLimited(
  response: Response,
  url: string,
  limit: number,
  exact: boolean,
  onProgress?: ReadOptions['onProgress'],
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

function checkManifest(value: unknown, url: string): AnyManifest {
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
  return m as AnyManifest;
}
