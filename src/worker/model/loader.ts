/**
 * Downloads a model's weights and refuses anything that does not match its manifest: wrong size,
 * wrong SHA-256, a manifest of another format or beyond `MODEL_LIMITS`. The weights are streamed
 * with the byte limit the manifest declares (itself capped), so a hostile or broken server cannot
 * make the worker read without end. A refused model is never used. Part of the model part: the
 * engine reads the manifest itself (manifest.ts), this reads what only the towers need.
 */
import { LocalrankError } from '../../shared/errors';
import type { LoadProgress } from '../../shared/types';
import { get, readLimited, readManifest } from './manifest';
import { checkCrossManifest, isCrossManifest, type AnyManifest } from './cross-manifest';
import { MODEL_LIMITS, checkManifestShape } from './scorer';

export interface ModelArtifacts {
  manifest: AnyManifest;
  weights: ArrayBuffer;
}

export interface LoadOptions {
  /** The weights' URL, when not where the manifest says (an app's bundler emitted them elsewhere). */
  weights?: string;
  fetch?: typeof fetch;
  onProgress?: (progress: LoadProgress) => void;
}

/** The manifest, then its weights: a whole model (Node, tests). */
export async function loadModel(manifestUrl: string, options: LoadOptions = {}): Promise<ModelArtifacts> {
  const manifest = await readManifest(manifestUrl, options);
  return { manifest, weights: await loadWeights(manifest, manifestUrl, options) };
}

/** The weights of a manifest already read: sizes, shapes and limits are checked before a byte is. */
export async function loadWeights(manifest: AnyManifest, manifestUrl: string, options: LoadOptions = {}): Promise<ArrayBuffer> {
  if (isCrossManifest(manifest)) checkCrossManifest(manifest, MODEL_LIMITS.weightsBytes);
  else checkManifestShape(manifest);
  const weightsUrl = options.weights ?? new URL(manifest.weights.path, manifestUrl).href;
  const weights = await readLimited(await get(options.fetch ?? fetch, weightsUrl), weightsUrl, manifest.weights.byteLength, true, options.onProgress);
  await verify(weights, manifest);
  return weights;
}

async function verify(weights: ArrayBuffer, manifest: AnyManifest): Promise<void> {
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
