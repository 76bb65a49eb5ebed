/**
 * Trainable parameters of the two-tower model, the pretraining loss and the export to the
 * `localrank-model/1` artifacts the worker loads (Node only).
 */
import * as tf from '@tensorflow/tfjs-core';
import { featureBuckets } from '../../worker/ranking/features';
import type { ModelManifest } from '../../worker/model/scorer';
import { contentVectors, matMul, tensorSpecs, userTower, type Params, type ScorerConfig } from '../../worker/model/tower';
import type { Dataset } from '../data/dataset';
import { modelManifest, type TrainedManifest } from './manifest';

/**
 * Row gather whose gradient is a scatterND (which sums duplicate rows), so embedding tables
 * train on the wasm backend, which has no UnsortedSegmentSum kernel for tf.gather's gradient.
 */
export function gatherRows(table: tf.Tensor, indices: tf.Tensor1D): tf.Tensor {
  const shape = table.shape;
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [t, idx, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([idx]);
    return {
      value: tf.gather(t, idx),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
        tf.scatterND(tf.expandDims(saved[0], 1), dy, shape),
        tf.zerosLike(saved[0]),
      ],
    };
  });
  return f(table, indices);
}

/** Hashed content tokens of every table row: int32 [V + 1, K] and counts [V + 1, 1]. */
export interface ContentIndex {
  buckets: tf.Tensor2D;
  counts: tf.Tensor2D;
}

export function contentIndex(data: Dataset, config: ScorerConfig): ContentIndex | null {
  if (config.hashBuckets <= 0 || !data.features) return null;
  const rows = data.itemIds.length + 1;
  const k = config.maxTokens;
  const buckets = new Int32Array(rows * k);
  const counts = new Float32Array(rows);
  data.features.forEach((f, i) => {
    const found = featureBuckets(f, config.hashBuckets, k);
    buckets.set(found, (i + 1) * k);
    counts[i + 1] = found.length;
  });
  return { buckets: tf.tensor2d(buckets, [rows, k], 'int32'), counts: tf.tensor2d(counts, [rows, 1]) };
}

/** Raw id embeddings are trained as `item/id`; the export folds content into `item/table`. */
export function initParams(config: ScorerConfig, numItems: number, seed: number): Record<string, tf.Variable> {
  const params: Record<string, tf.Variable> = {};
  let salt = 0;
  for (const spec of tensorSpecs(config, numItems)) {
    const name = spec.name === 'item/table' ? 'item/id' : spec.name;
    const s = seed + ++salt;
    let init: tf.Tensor;
    if (/ln\d?_g$/.test(name)) init = tf.ones(spec.shape);
    else if (/(ln\d?_b|\/b\d)$/.test(name) || name === 'user/type' || name === 'user/recency') init = tf.zeros(spec.shape);
    else if (spec.shape.length === 2 && name.startsWith('user/b')) {
      const limit = Math.sqrt(6 / (spec.shape[0] + spec.shape[1]));
      init = tf.randomUniform(spec.shape, -limit, limit, 'float32', s);
    } else init = tf.truncatedNormal(spec.shape, 0, name === 'item/hash' ? 0.02 : 0.05, 'float32', s);
    if (name === 'item/hash') init = tf.concat([tf.zeros([1, config.dim]), tf.slice(init, 1)], 0);
    params[name] = tf.variable(init, true, name);
    init.dispose();
  }
  return params;
}

/**
 * Item vectors of a training step for the table rows `rows` (every row when absent): id
 * embeddings (a random `idDropout` share replaced by the unknown row, so the content path learns
 * to stand alone) plus content vectors. A step computes only the rows it touches: the content of
 * the whole table would cost items x maxTokens x dim floats, forward and backward, every step.
 */
export function itemTable(params: Params, content: ContentIndex | null, idKeep: tf.Tensor2D | null, rows?: tf.Tensor1D): tf.Tensor {
  const all = params['item/id'];
  const ids = rows ? gatherRows(all, rows) : all;
  let table: tf.Tensor = ids;
  if (idKeep) {
    const keep = rows ? tf.gather(idKeep, rows) : idKeep;
    const unknown = tf.slice(all, [0, 0], [1, all.shape[1] as number]);
    table = tf.add(tf.mul(ids, keep), tf.mul(unknown, tf.sub(1, keep)));
  }
  if (content) {
    const buckets = rows ? (tf.gather(content.buckets, rows) as tf.Tensor2D) : content.buckets;
    const counts = rows ? (tf.gather(content.counts, rows) as tf.Tensor2D) : content.counts;
    table = tf.add(table, contentVectors(params['item/hash'], buckets, counts, gatherRows));
  }
  return table;
}

/** The distinct table rows a step touches, ascending, and each list mapped to positions in them. */
export function touchedRows(lists: readonly Int32Array[]): { rows: Int32Array; local: (list: Int32Array) => Int32Array } {
  const set = new Set<number>();
  for (const list of lists) for (const r of list) set.add(r);
  const rows = Int32Array.from(set).sort();
  const at = new Map<number, number>();
  rows.forEach((r, i) => at.set(r, i));
  return { rows, local: (list) => Int32Array.from(list, (r) => at.get(r)!) };
}

export interface Batch {
  /** Item rows of the history slots, left-padded with 0: int32 [B * T]. */
  inputs: Int32Array;
  types: Int32Array;
  mask: Float32Array;
  recency: Int32Array;
  /** Flat slot index (b * (T + 1) + s) of every slot with a target, and that target's row. */
  slots: Int32Array;
  targets: Int32Array;
  batch: number;
  steps: number;
}

/** Sampled-softmax loss: each target against `negatives` shared uniform items. */
export function batchLoss(
  params: Params,
  config: ScorerConfig,
  content: ContentIndex | null,
  batch: Batch,
  negatives: Int32Array,
  opts: { dropout: number; idDropout: number; seed: number; numItems: number },
): tf.Scalar {
  const { batch: b, steps } = batch;
  const d = config.dim;
  let idKeep: tf.Tensor2D | null = null;
  if (opts.idDropout > 0 && content) {
    const keep = tf.cast(tf.greater(tf.randomUniform([opts.numItems + 1, 1], 0, 1, 'float32', opts.seed), opts.idDropout), 'float32');
    idKeep = tf.concat([tf.zeros([1, 1]), tf.slice(keep, [1, 0])], 0) as tf.Tensor2D;
  }
  const { rows, local } = touchedRows([batch.inputs, batch.targets, negatives]);
  const table = itemTable(params, content, idKeep, tf.tensor1d(rows, 'int32'));
  const items = tf.reshape(gatherRows(table, tf.tensor1d(local(batch.inputs), 'int32')), [b, steps, d]) as tf.Tensor3D;
  const out = userTower(
    params,
    config,
    {
      items,
      types: tf.tensor2d(batch.types, [b, steps], 'int32'),
      mask: tf.tensor2d(batch.mask, [b, steps + 1]),
      recency: tf.tensor2d(batch.recency, [b, steps + 1], 'int32'),
    },
    { dropout: opts.dropout, seed: opts.seed },
  );
  const users = gatherRows(tf.reshape(out, [b * (steps + 1), d]), tf.tensor1d(batch.slots, 'int32'));
  const pos = gatherRows(table, tf.tensor1d(local(batch.targets), 'int32'));
  const neg = gatherRows(table, tf.tensor1d(local(negatives), 'int32'));
  const posLogit = tf.sum(tf.mul(users, pos), 1, true);
  let negLogit = matMul(users, tf.transpose(neg));
  // A negative that happens to be the target is masked out (sparse, computed on the host).
  const column = new Map<number, number[]>();
  negatives.forEach((row, j) => column.set(row, [...(column.get(row) ?? []), j]));
  const hits: number[] = [];
  batch.targets.forEach((row, i) => column.get(row)?.forEach((j) => hits.push(i, j)));
  if (hits.length > 0) {
    const at = tf.tensor2d(Int32Array.from(hits), [hits.length / 2, 2], 'int32');
    negLogit = tf.add(negLogit, tf.scatterND(at, tf.fill([hits.length / 2], -1e9), negLogit.shape));
  }
  const logits = tf.concat([posLogit, negLogit], 1);
  return tf.neg(tf.mean(tf.slice(tf.logSoftmax(logits), [0, 0], [-1, 1]))) as tf.Scalar;
}

/** Exports trained parameters as `localrank-model/1` artifacts (content folded into the table). */
export async function exportModel(
  params: Params,
  config: ScorerConfig,
  data: Dataset,
  content: ContentIndex | null,
): Promise<{ manifest: TrainedManifest; weights: ArrayBuffer }> {
  const specs = tensorSpecs(config, data.itemIds.length);
  const tensors: ModelManifest['tensors'] = [];
  const chunks: Float32Array[] = [];
  let offset = 0;
  for (const spec of specs) {
    const t = tf.tidy(() => {
      if (spec.name !== 'item/table') return tf.clone(params[spec.name]);
      const table = itemTable(params, content, null);
      // Row 0 stays the raw unknown row: unknown items add their own content at scoring time.
      return tf.concat([tf.slice(params['item/id'], [0, 0], [1, config.dim]), tf.slice(table, [1, 0])], 0);
    });
    const values = (await t.data()) as Float32Array;
    t.dispose();
    if (spec.name === 'item/hash') values.fill(0, 0, config.dim);
    tensors.push({ name: spec.name, shape: spec.shape, offset });
    chunks.push(values);
    offset += values.length * 4;
  }
  const bytes = new Uint8Array(offset);
  let at = 0;
  for (const c of chunks) {
    bytes.set(new Uint8Array(c.buffer, c.byteOffset, c.byteLength), at);
    at += c.byteLength;
  }
  return { manifest: modelManifest(data, config, tensors, bytes), weights: bytes.buffer };
}
