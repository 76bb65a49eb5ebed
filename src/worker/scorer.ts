/**
 * The two-tower scorer: a frozen item tower (id table with content features folded in, hashed
 * content features and an optional server-embedding projection for unknown items) and a causal
 * self-attentive user tower over the recent history. Runs on any tfjs backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { LocalrankError } from '../shared/errors';
import type { EventType, ItemFeatures } from '../shared/types';
import { Adapter, applyAdapter } from './adapter';
import { featureBuckets } from './features';
import { contentVectors, recencyBucket, tensorSpecs, userTower, type Params, type ScorerConfig } from './tower';

export type { ScorerConfig } from './tower';

export interface ModelManifest {
  format: 'localrank-model/1';
  /** Changes whenever the weights change (dataset, date, short hash of the weights). */
  version: string;
  /** `path` is relative to the manifest URL; `sha256` is the hex digest of the file. */
  weights: { path: string; byteLength: number; sha256: string };
  /** float32 little-endian tensors at byte offsets into the weights file. */
  tensors: Array<{ name: string; shape: number[]; offset: number }>;
  /** Row i + 1 of the id table is ids[i]; row 0 stands for any unknown id. */
  items: { ids: string[] };
  config: ScorerConfig;
}

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

function isPositiveInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

function checkConfig(config: ScorerConfig): void {
  if (!config || typeof config !== 'object') integrity('manifest has no config');
  for (const key of ['dim', 'maxHistory', 'blocks', 'heads', 'ffnDim', 'recencyBuckets'] as const) {
    if (!isPositiveInt(config[key])) integrity(`config.${key} must be a positive integer`);
  }
  for (const key of ['hashBuckets', 'maxTokens', 'serverEmbeddingDim'] as const) {
    const v = config[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) integrity(`config.${key} must be an integer >= 0`);
  }
  if (config.dim % config.heads !== 0) integrity('config.heads must divide config.dim');
  if (!Array.isArray(config.eventTypes) || config.eventTypes.length === 0) integrity('config.eventTypes is empty');
}

export class Scorer {
  readonly version: string;
  readonly dim: number;
  readonly maxHistory: number;
  readonly config: ScorerConfig;
  /** The known item ids, in table order (row i + 1). */
  readonly itemIds: readonly string[];
  private readonly params: Params;
  private readonly rows: Map<string, number>;
  private disposed = false;

  private constructor(manifest: ModelManifest, params: Params) {
    this.version = manifest.version;
    this.config = manifest.config;
    this.dim = manifest.config.dim;
    this.maxHistory = manifest.config.maxHistory;
    this.itemIds = manifest.items.ids;
    this.params = params;
    this.rows = new Map(manifest.items.ids.map((id, i) => [id, i + 1]));
  }

  /**
   * Validates the manifest against the buffer (sizes, shapes, names); throws
   * LocalrankError('MODEL_INTEGRITY') when they disagree. Creates tensors on the current backend.
   */
  static fromArtifacts(manifest: ModelManifest, weights: ArrayBuffer): Scorer {
    if (!manifest || manifest.format !== 'localrank-model/1') integrity('unknown model format');
    if (typeof manifest.version !== 'string' || !manifest.version) integrity('manifest has no version');
    checkConfig(manifest.config);
    const ids = manifest.items?.ids;
    if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) integrity('items.ids must be strings');
    if (new Set(ids).size !== ids.length) integrity('items.ids holds duplicates');
    if (!(weights instanceof ArrayBuffer)) integrity('weights must be an ArrayBuffer');
    if (manifest.weights?.byteLength !== weights.byteLength) {
      integrity(`weights are ${weights.byteLength} bytes, manifest says ${manifest.weights?.byteLength}`);
    }
    const expected = tensorSpecs(manifest.config, ids.length);
    const listed = new Map((manifest.tensors ?? []).map((t) => [t.name, t]));
    if (listed.size !== (manifest.tensors ?? []).length) integrity('a tensor is listed twice');
    for (const name of listed.keys()) {
      if (!expected.some((s) => s.name === name)) integrity(`unexpected tensor "${name}"`);
    }
    const views: Array<{ name: string; shape: number[]; values: Float32Array }> = [];
    for (const spec of expected) {
      const entry = listed.get(spec.name) ?? integrity(`tensor "${spec.name}" is missing`);
      if (!Array.isArray(entry.shape) || entry.shape.join(',') !== spec.shape.join(',')) {
        integrity(`tensor "${spec.name}" has shape [${entry.shape}], expected [${spec.shape}]`);
      }
      const size = spec.shape.reduce((a, b) => a * b, 1);
      const { offset } = entry;
      if (!Number.isInteger(offset) || offset < 0 || offset % 4 !== 0 || offset + size * 4 > weights.byteLength) {
        integrity(`tensor "${spec.name}" lies outside the weights file`);
      }
      const values = new Float32Array(weights.slice(offset, offset + size * 4));
      for (let i = 0; i < values.length; i++) {
        if (!Number.isFinite(values[i])) integrity(`tensor "${spec.name}" holds a non-finite value`);
      }
      views.push({ name: spec.name, shape: spec.shape, values });
    }
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
   * User vectors of several histories at once, before any adapter: [B, dim]; caller disposes.
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
   * User tower over `history` (oldest first), with event types and recency relative to `now` (ms).
   * With an adapter, the fine-tuned parameters are applied. [dim]; caller disposes. An empty
   * history gives the learned anonymous vector (roughly the popularity direction).
   */
  userVector(history: readonly HistoryItem[], now: number, adapter?: Adapter | null): tf.Tensor1D {
    const states = this.userStates([history], [now]);
    const user = tf.tidy(() => {
      const u = adapter ? applyAdapter(states, adapter.A, adapter.b) : states;
      return tf.reshape(u, [this.dim]) as tf.Tensor1D;
    });
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
