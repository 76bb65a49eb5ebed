/**
 * `src/worker/model/`: the pretrained models and what runs them: the cross scorer that reads any
 * catalogue (the default, `cross.ts`), this two-tower scorer and its towers (a shop's own model),
 * how much a model knows (evidence), the loader that verifies a model, the choice of tfjs backend
 * and the recovery from a lost GPU. It imports `../ranking/` (what the scorers read) and nothing
 * else of the worker. This file is its entry.
 *
 * The two-tower scorer: a frozen item tower (id table with content features folded in, hashed
 * content features and an optional server-embedding projection for unknown items) and a causal
 * self-attentive user tower over the recent history. Runs on any tfjs backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { LocalrankError } from '../../shared/errors';
import { LIMITS } from '../../shared/limits';
import { EVENT_TYPES, type EventType, type ItemFeatures } from '../../shared/types';
import { featureBuckets } from '../ranking/features';
import { checkTensorLayout } from './layout';
import type { ModelCard, ModelManifest, RankerSpec } from './manifest-types';
import { contentVectors, recencyBucket, tensorSpecs, userTower, type Params, type ScorerConfig } from './tower';

export type { ScorerConfig } from './tower';

export type { ModelCard, ModelManifest, RankerSpec } from './manifest-types';

export interface ItemRef {
  id: string;
  features?: ItemFeatures;
  embedding?: ArrayLike<number>;
}

export interface HistoryItem {
  itemId: string;
  type: EventType;
  time: number;
  dwellMs?: number;
  features?: ItemFeatures;
}

function integrity(message: string): never {
  throw new LocalrankError('MODEL_INTEGRITY', message);
}

/**
 * What a model may declare. Every number in a manifest that sizes work is tied to a tensor shape
 * (and so paid for in bytes of weights) or bounded here; a manifest beyond them is refused before
 * any weights are downloaded.
 */
export const MODEL_LIMITS = {
  /** Bytes of weights: the loader never reads more, whatever a manifest says (the bundled model: 1.7 MB). */
  weightsBytes: 128 * 2 ** 20,
  /** Bytes of the manifest (the bundled one: 14 kB). */
  manifestBytes: 16 * 2 ** 20,
  /** Largest |weight|: the bundled models stay under 2; far beyond, sums in the towers overflow float32. */
  weightMagnitude: 1e3,
  /** Content tokens hashed per item; sizes an [items x maxTokens] buffer on every rerank. */
  maxTokens: 128,
  /** Tokens in `vocabulary.tokens`, kept as a set in memory. */
  vocabulary: 1_000_000,
  /** Config fields, each also tied to tensor shapes (the weights file must hold them). */
  dim: 512,
  maxHistory: 512,
  blocks: 8,
  ffnDim: 4096,
  hashBuckets: 2 ** 20,
  recencyBuckets: 64,
  serverEmbeddingDim: LIMITS.maxEmbeddingLength,
} as const;

function isInt(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

function checkConfig(config: ScorerConfig): void {
  if (!config || typeof config !== 'object') integrity('manifest has no config');
  for (const key of ['dim', 'maxHistory', 'blocks', 'ffnDim', 'recencyBuckets'] as const) {
    if (!isInt(config[key], 1, MODEL_LIMITS[key])) integrity(`config.${key} must be an integer from 1 to ${MODEL_LIMITS[key]}`);
  }
  for (const key of ['hashBuckets', 'maxTokens', 'serverEmbeddingDim'] as const) {
    if (!isInt(config[key], 0, MODEL_LIMITS[key])) integrity(`config.${key} must be an integer from 0 to ${MODEL_LIMITS[key]}`);
  }
  if (!isInt(config.heads, 1, config.dim) || config.dim % config.heads !== 0) integrity('config.heads must divide config.dim');
  const types = config.eventTypes;
  if (!Array.isArray(types) || types.length === 0 || types.length > EVENT_TYPES.length || new Set(types).size !== types.length || !types.every((t) => EVENT_TYPES.includes(t))) {
    integrity('config.eventTypes must list distinct event types');
  }
}

/**
 * Checks everything a manifest declares before a byte of weights is read: format, config within
 * `MODEL_LIMITS`, ids, vocabulary, card, ranker, and tensors of the expected names and shapes
 * that fill the declared weights exactly, without overlapping. Returns the tensors to read.
 */
export function checkManifestShape(manifest: ModelManifest): Array<{ name: string; shape: number[]; offset: number }> {
  if (!manifest || typeof manifest !== 'object' || manifest.format !== 'localrank-model/1') integrity('unknown model format');
  if (typeof manifest.version !== 'string' || !manifest.version) integrity('manifest has no version');
  checkConfig(manifest.config);
  const ids = manifest.items?.ids;
  if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) integrity('items.ids must be strings');
  if (new Set(ids).size !== ids.length) integrity('items.ids holds duplicates');
  const tokens = manifest.vocabulary?.tokens;
  if (manifest.vocabulary !== undefined && (!Array.isArray(tokens) || tokens.length > MODEL_LIMITS.vocabulary || tokens.some((t) => typeof t !== 'string'))) {
    integrity(`vocabulary.tokens must be at most ${MODEL_LIMITS.vocabulary} strings`);
  }
  if (manifest.card !== undefined && (typeof manifest.card !== 'object' || !Array.isArray(manifest.card.datasets) || typeof manifest.card.priorBeatsServer !== 'boolean')) {
    integrity('card must have datasets and priorBeatsServer');
  }
  const head = manifest.ranker?.weights;
  if (manifest.ranker !== undefined && (typeof head !== 'object' || head === null || Object.values(head).some((w) => typeof w !== 'number' || !Number.isFinite(w) || Math.abs(w) > 1e3))) {
    integrity('ranker.weights must be finite numbers');
  }
  return checkTensorLayout(tensorSpecs(manifest.config, ids.length), manifest.tensors, manifest.weights?.byteLength, MODEL_LIMITS.weightsBytes);
}

export class Scorer {
  readonly version: string;
  readonly dim: number;
  readonly maxHistory: number;
  readonly config: ScorerConfig;
  /** The known item ids, in table order (row i + 1). */
  readonly itemIds: readonly string[];
  /** Content tokens the model was trained on, or null when the manifest does not say. */
  readonly knownTokens: ReadonlySet<string> | null;
  readonly card: ModelCard | undefined;
  readonly ranker: RankerSpec | undefined;
  private readonly params: Params;
  private readonly rows: Map<string, number>;
  private disposed = false;

  private constructor(manifest: ModelManifest, params: Params) {
    this.version = manifest.version;
    this.config = manifest.config;
    this.dim = manifest.config.dim;
    this.maxHistory = manifest.config.maxHistory;
    this.itemIds = manifest.items.ids;
    this.knownTokens = manifest.vocabulary ? new Set(manifest.vocabulary.tokens) : null;
    this.card = manifest.card;
    this.ranker = manifest.ranker;
    this.params = params;
    this.rows = new Map(manifest.items.ids.map((id, i) => [id, i + 1]));
  }

  /**
   * Validates the manifest against the buffer (sizes, shapes, names); throws
   * LocalrankError('MODEL_INTEGRITY') when they disagree. Creates tensors on the current backend.
   */
  static fromArtifacts(manifest: ModelManifest, weights: ArrayBuffer): Scorer {
    const tensors = checkManifestShape(manifest);
    if (!(weights instanceof ArrayBuffer)) integrity('weights must be an ArrayBuffer');
    if (manifest.weights.byteLength !== weights.byteLength) {
      integrity(`weights are ${weights.byteLength} bytes, manifest says ${manifest.weights.byteLength}`);
    }
    const views = tensors.map(({ name, shape, offset }) => {
      const values = new Float32Array(weights.slice(offset, offset + shape.reduce((a, b) => a * b, 1) * 4));
      for (let i = 0; i < values.length; i++) {
        if (!Number.isFinite(values[i])) integrity(`tensor "${name}" holds a non-finite value`);
        if (Math.abs(values[i]) > MODEL_LIMITS.weightMagnitude) integrity(`tensor "${name}" holds ${values[i]}, beyond ±${MODEL_LIMITS.weightMagnitude}`);
      }
      return { name, shape, values };
    });
    const params: Params = {};
    for (const v of views) params[v.name] = tf.tensor(v.values, v.shape, 'float32');
    return new Scorer(manifest, params);
  }

  /** Row of the id table for an item id; 0 when unknown. */
  row(id: string): number {
    return this.rows.get(id) ?? 0;
  }

  /**
   * Item tower, frozen: [N, dim]; caller disposes. Unknown ids fall back to their content features
   * and the optional server embedding; a server embedding of the wrong length is ignored.
   */
  itemVectors(items: readonly ItemRef[]): tf.Tensor2D {
    this.assertOpen();
    const { hashBuckets, maxTokens, serverEmbeddingDim } = this.config;
    const n = items.length;
    return tf.tidy(() => {
      if (n === 0) return tf.zeros([0, this.dim]) as tf.Tensor2D;
      const rows = new Int32Array(n);
      for (let i = 0; i < n; i++) rows[i] = this.row(String(items[i].id));
      let vectors: tf.Tensor = tf.gather(this.params['item/table'], tf.tensor1d(rows, 'int32'));
      if (hashBuckets > 0) {
        const buckets = new Int32Array(n * maxTokens);
        const counts = new Float32Array(n);
        for (let i = 0; i < n; i++) {
          if (rows[i] !== 0) continue;
          const found = featureBuckets(items[i].features, hashBuckets, maxTokens);
          buckets.set(found, i * maxTokens);
          counts[i] = found.length;
        }
        if (counts.some((c) => c > 0)) {
          vectors = tf.add(
            vectors,
            contentVectors(
              this.params['item/hash'],
              tf.tensor2d(buckets, [n, maxTokens], 'int32'),
              tf.tensor2d(counts, [n, 1]),
            ),
          );
        }
      }
      if (serverEmbeddingDim > 0) {
        const server = new Float32Array(n * serverEmbeddingDim);
        let any = false;
        for (let i = 0; i < n; i++) {
          const e = items[i].embedding;
          if (!e || e.length !== serverEmbeddingDim) continue;
          let finite = true;
          for (let j = 0; j < e.length; j++) finite &&= Number.isFinite(e[j]);
          if (!finite) continue;
          for (let j = 0; j < e.length; j++) server[i * serverEmbeddingDim + j] = e[j];
          any = true;
        }
        if (any) {
          const projected = tf.matMul(tf.tensor2d(server, [n, serverEmbeddingDim]), this.params['item/server'] as tf.Tensor2D);
          vectors = tf.add(vectors, projected);
        }
      }
      return vectors as tf.Tensor2D;
    });
  }

  /**
   * User vectors of several histories at once: [B, dim]; caller disposes.
   * Each history is oldest first; only its last `maxHistory` events are read.
   */
  userStates(histories: ReadonlyArray<readonly HistoryItem[]>, nows: readonly number[]): tf.Tensor2D {
    this.assertOpen();
    const cfg = this.config;
    const batch = histories.length;
    const windows = histories.map((h) => h.slice(Math.max(0, h.length - cfg.maxHistory)));
    const steps = windows.reduce((m, w) => Math.max(m, w.length), 0);
    const refs: ItemRef[] = [];
    const slotIndex = new Int32Array(batch * steps); // 0 = padding, k = refs[k - 1]
    const types = new Int32Array(batch * steps);
    const mask = new Float32Array(batch * (steps + 1));
    const recency = new Int32Array(batch * (steps + 1));
    windows.forEach((w, b) => {
      const pad = steps - w.length;
      mask[b * (steps + 1) + pad] = 1;
      w.forEach((event, j) => {
        refs.push({ id: event.itemId, features: event.features });
        slotIndex[b * steps + pad + j] = refs.length;
        types[b * steps + pad + j] = Math.max(0, cfg.eventTypes.indexOf(event.type));
        mask[b * (steps + 1) + pad + j + 1] = 1;
      });
      const last = w.length > 0 ? w[w.length - 1].time : Number.NaN;
      recency[b * (steps + 1) + steps] = Number.isFinite(last)
        ? recencyBucket(nows[b] - last, cfg.recencyBuckets)
        : cfg.recencyBuckets - 1;
    });
    const vectors = this.itemVectors(refs);
    return tf.tidy(() => {
      const padded = tf.concat([tf.zeros([1, this.dim]), vectors], 0);
      const items = tf.reshape(tf.gather(padded, tf.tensor1d(slotIndex, 'int32')), [batch, steps, this.dim]);
      const out = userTower(this.params, cfg, {
        items: items as tf.Tensor3D,
        types: tf.tensor2d(types, [batch, steps], 'int32'),
        mask: tf.tensor2d(mask, [batch, steps + 1]),
        recency: tf.tensor2d(recency, [batch, steps + 1], 'int32'),
      });
      vectors.dispose();
      return tf.reshape(tf.slice(out, [0, steps, 0], [batch, 1, this.dim]), [batch, this.dim]) as tf.Tensor2D;
    });
  }

  /**
   * User tower over `history` (oldest first), with event types and recency relative to `now` (ms):
   * [dim]; caller disposes. An empty history gives the learned anonymous vector (roughly the
   * popularity direction).
   */
  userVector(history: readonly HistoryItem[], now: number): tf.Tensor1D {
    const states = this.userStates([history], [now]);
    const user = tf.reshape(states, [this.dim]) as tf.Tensor1D;
    states.dispose();
    return user;
  }

  /** Scores of items for a user: [N]. Higher is better. */
  score(user: tf.Tensor1D, items: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => tf.reshape(tf.matMul(items, tf.reshape(user, [this.dim, 1])), [items.shape[0]]) as tf.Tensor1D);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const t of Object.values(this.params)) t.dispose();
  }

  private assertOpen(): void {
    if (this.disposed) throw new LocalrankError('CLOSED', 'the scorer was disposed');
  }
}
