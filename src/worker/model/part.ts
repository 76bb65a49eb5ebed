/**
 * The model part: everything of localrank that runs TensorFlow.js, built as its own chunk
 * (`assets/model-<hash>.js`). The engine imports it (`import()` of the URL the page names) only
 * where the model can contribute on this shop, after the first personalised `rerank` was served
 * from the taste and the head; until it is ready nothing waits for it. In Node (the evaluation,
 * tests) `modelPartOf` wraps a scorer already loaded.
 *
 * It owns the backend choice (measured, cached per device), the weights, the scorer, the item
 * vectors and evidence it computed, the user vector, the warm-up, and the recovery from a lost GPU:
 * the engine sees only `ModelPart` (contract.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
// What backend.ts registers, imported again from this entry: the package declares
// `sideEffects: false`, and a bundler drops a side-effect import of a module it reaches only
// through that declaration (the webgl and webgpu backends were left out of this chunk).
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as env from '../../shared/env';
import type { ItemFeatures } from '../../shared/types';
import { loseGpu, pickBackend, type BackendChoice } from './backend';
import { createCrossPart } from './cross-part';
import { isCrossManifest } from './cross-manifest';
import type { BackendState, ModelCandidates, ModelPart, ModelPartOptions, ModelTerm } from './contract';
import { historyEvidence, itemEvidence } from './evidence';
import { loadWeights } from './loader';
import { modelInfo, type ModelInfo } from './manifest';
import { BackendRecovery } from './recovery';
import { Scorer, type HistoryItem, type ModelManifest } from './scorer';

const CACHE_LIMIT = 50_000;

interface CachedItem {
  features: string | null;
  /** 0..1: how much the model knows this item (see evidence.ts). */
  evidence: number;
  vector?: Float32Array;
}

/** Loads the model of a manifest the engine has read: backend, weights, tensors, warm-up. */
export async function createModelPart(options: ModelPartOptions): Promise<ModelPart> {
  // The page names every file (src/page/engine-files.ts): this chunk may be anywhere a bundler put it.
  if (options.wasmPaths) setWasmPaths(options.wasmPaths);
  const { manifest, manifestUrl } = options;
  // The download runs while the backends are measured.
  const [choice, weights] = await Promise.all([
    pickBackend(options),
    loadWeights(manifest, manifestUrl, { weights: options.weightsUrl, fetch: options.fetch, onProgress: options.onProgress }),
  ]);
  if (isCrossManifest(manifest)) return createCrossPart(manifest, weights, choice, options);
  const part = new ScorerPart(Scorer.fromArtifacts(manifest, weights), choice, { manifest, weights }, options);
  await part.warmUp();
  options.onProgress?.({ status: 'ready', modelVersion: manifest.version, backend: choice.backend });
  return part;
}

/** A scorer already loaded (Node: the evaluation, tests), on the backend tfjs runs now. */
export function modelPartOf(model: Scorer | { manifest: ModelManifest; weights: ArrayBuffer }): ModelPart {
  const artifacts = model instanceof Scorer ? null : model;
  const scorer = artifacts ? Scorer.fromArtifacts(artifacts.manifest, artifacts.weights) : (model as Scorer);
  const choice: BackendChoice = { backend: tf.getBackend() as BackendChoice['backend'], reason: 'the backend TensorFlow.js ran when the model was given', gpu: { adapter: 'none' }, timings: {} };
  return new ScorerPart(scorer, choice, artifacts, {});
}

class ScorerPart implements ModelPart {
  readonly info: ModelInfo;
  private readonly items = new Map<string, CachedItem>();
  /** The last list's evidence and rows, while the engine hands the same arrays (nothing changed). */
  private list: { ids: readonly string[]; features: ModelCandidates['features']; evidence: Float32Array; known: number[]; rows: Float32Array[] } | null = null;
  /** The user vector and the history it was computed from (the engine hands a new array when it changes). */
  private user: { history: readonly HistoryItem[]; now: number; vector: Float32Array } | null = null;
  private readonly recovery: BackendRecovery;
  private closed = false;

  constructor(
    private scorer: Scorer,
    private choice: BackendChoice,
    /** What the model was built from; a scorer handed in ready-made cannot be rebuilt elsewhere. */
    private readonly artifacts: { manifest: ModelManifest; weights: ArrayBuffer } | null,
    private readonly options: Pick<ModelPartOptions, 'onRecovered' | 'onLost'>,
  ) {
    this.info = artifacts ? modelInfo(artifacts.manifest) : infoOf(scorer);
    this.recovery = new BackendRecovery({
      active: () => !this.closed,
      rebuild: async (next) => this.rebuild(next),
      recovered: (backend, reason) => this.options.onRecovered?.(backend, reason),
      degraded: (failure) => this.options.onLost?.(failure),
    });
    if (artifacts) this.recovery.watch(choice);
  }

  backend(): BackendState {
    const { backend, reason, gpu } = this.choice;
    return { backend, reason, gpu };
  }

  async term(candidates: ModelCandidates, history: readonly HistoryItem[], now: number): Promise<ModelTerm | undefined> {
    if (this.closed || !this.recovery.available()) return undefined;
    const scorer = this.scorer;
    const user = history.length > 0 ? historyEvidence(scorer, history) : scorer.card?.priorBeatsServer ? 1 : 0;
    if (user === 0) return undefined;
    const { evidence, known, rows } = await this.listOf(candidates);
    if (known.length === 0) return undefined;
    const scoresOfKnown = dotScores(await this.userVector(history, now), rows);
    const scores = new Float32Array(evidence.length);
    const weights = new Float32Array(evidence.length);
    for (let j = 0; j < known.length; j++) {
      // An overflow (a huge server embedding through the projection) says nothing: no model term.
      if (!Number.isFinite(scoresOfKnown[j])) continue;
      const i = known[j];
      scores[i] = scoresOfKnown[j];
      weights[i] = user * evidence[i];
    }
    return { scores, evidence: weights };
  }

  /** Evidence, known candidates and their rows: the last list's when the engine hands the same arrays. */
  private async listOf(candidates: ModelCandidates): Promise<{ evidence: Float32Array; known: number[]; rows: Float32Array[] }> {
    const last = this.list;
    if (last && last.ids === candidates.ids && last.features === candidates.features && !candidates.embeddings) return last;
    const scorer = this.scorer;
    const evidence = this.evidence(candidates);
    const known: number[] = [];
    for (let i = 0; i < evidence.length; i++) if (evidence[i] > 0) known.push(i);
    const rows = known.length > 0 ? await this.vectors(candidates, known) : [];
    // Server embeddings are per call; a list scored on a lost backend is not kept.
    this.list = candidates.embeddings || scorer !== this.scorer ? null : { ids: candidates.ids, features: candidates.features, evidence, known, rows };
    return { evidence, known, rows };
  }

  /** How much the model knows each candidate, from the cache or computed now. */
  private evidence(candidates: ModelCandidates): Float32Array {
    const { ids, features, embeddings } = candidates;
    const out = new Float32Array(ids.length);
    const serverDim = this.scorer.config.serverEmbeddingDim;
    for (let i = 0; i < ids.length; i++) {
      let entry = this.items.get(ids[i]);
      if (!entry || entry.features !== features[i]) {
        entry = { features: features[i], evidence: itemEvidence(this.scorer, ids[i], parse(features[i])) };
        this.set(ids[i], entry);
      }
      // A server embedding places an unknown item as well as its content does.
      out[i] = embeddings?.[i] && serverDim > 0 ? Math.max(entry.evidence, 0.5) : entry.evidence;
    }
    return out;
  }

  /** Item-tower vectors of the candidates at `indices`, running the tower only for uncached ones. */
  private async vectors(candidates: ModelCandidates, indices: readonly number[]): Promise<Float32Array[]> {
    const { ids, features, embeddings } = candidates;
    const out = new Array<Float32Array>(indices.length);
    const missing: number[] = [];
    for (let j = 0; j < indices.length; j++) {
      const i = indices[j];
      const vector = this.items.get(ids[i])?.vector;
      // A server embedding is per call, so its vector is never cached.
      if (vector && !embeddings?.[i]) out[j] = vector;
      else missing.push(j);
    }
    if (missing.length === 0) return out;
    const scorer = this.scorer;
    const refs = missing.map((j) => {
      const i = indices[j];
      return { id: ids[i], features: parse(features[i]), embedding: embeddings?.[i] ?? undefined };
    });
    const computed = scorer.itemVectors(refs);
    const values = (await computed.data()) as Float32Array;
    computed.dispose();
    const dim = scorer.dim;
    missing.forEach((j, m) => {
      const i = indices[j];
      const row = values.slice(m * dim, (m + 1) * dim);
      out[j] = row;
      const entry = this.items.get(ids[i]);
      if (scorer === this.scorer && !embeddings?.[i] && entry && entry.features === features[i]) entry.vector = row;
    });
    return out;
  }

  private async userVector(history: readonly HistoryItem[], now: number): Promise<Float32Array> {
    // Recency counts from the newest event, so a vector holds until the history changes.
    if (this.user && this.user.history === history) return this.user.vector;
    const scorer = this.scorer;
    const vector = scorer.userVector(history.slice(-scorer.maxHistory), now);
    const values = (await vector.data()) as Float32Array;
    vector.dispose();
    if (scorer === this.scorer) this.user = { history, now, vector: values };
    return values;
  }

  clear(): void {
    this.items.clear();
    this.list = null;
    this.user = null;
  }

  tensors(): number {
    return tf.memory().numTensors;
  }

  loseGpu(): void {
    loseGpu();
  }

  /**
   * Runs both towers once, so that a GPU backend compiles its shaders now, within the loading's
   * time, rather than in the visitor's next `rerank` (seconds on a software GPU).
   */
  async warmUp(): Promise<void> {
    const scorer = this.scorer;
    const known = scorer.itemIds[0] ?? 'warm-up';
    const items = scorer.itemVectors([{ id: known }, { id: '\u0000warm-up', features: { category: ['warm-up'], text: 'warm up' } }]);
    const user = scorer.userVector([{ itemId: known, type: 'click', time: 0 }], 0);
    await Promise.all([items.data(), user.data()]);
    items.dispose();
    user.dispose();
  }

  /** After a GPU loss: the model again, on the backend recovery chose. */
  private rebuild(choice: BackendChoice): void {
    this.choice = choice;
    // The old tensors lived on the lost device: drop the references, do not touch them.
    this.scorer = Scorer.fromArtifacts(this.artifacts!.manifest, this.artifacts!.weights);
    this.clear();
  }

  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.artifacts) this.scorer.dispose();
  }

  private set(id: string, entry: CachedItem): void {
    if (!this.items.has(id) && this.items.size >= CACHE_LIMIT) {
      const oldest = this.items.keys().next().value;
      if (oldest !== undefined) this.items.delete(oldest);
    }
    this.items.set(id, entry);
  }
}

/**
 * The model's score of each item row for a user vector: the scorer's dot product, on the rows
 * already cached as Float32Arrays. For at most 20,000 rows of a few dozen floats this plain loop
 * beats uploading a tensor and reading it back on every backend, so no tensor is made per call.
 */
export function dotScores(user: Float32Array, rows: readonly Float32Array[]): Float32Array {
  const dim = user.length;
  const out = new Float32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += rows[i][d] * user[d];
    out[i] = s;
  }
  return out;
}

function parse(json: string | null): ItemFeatures | undefined {
  return json === null ? undefined : (JSON.parse(json) as ItemFeatures);
}

function infoOf(scorer: Scorer): ModelInfo {
  return { version: scorer.version, maxHistory: scorer.maxHistory, ranker: scorer.ranker, card: scorer.card, ids: new Set(scorer.itemIds), tokens: scorer.knownTokens };
}

