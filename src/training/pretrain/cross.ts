/**
 * Trains the cross scorer (worker/model/cross.ts) and its ranker head together, on cases from
 * several shops' logs: each a user's next item among 99 uniform items they never touched, in the
 * shop's bestseller order, with the user's history cut to its last k events. The inputs are the
 * relational signals and pair features the engine computes, so what is learned on these logs is
 * read the same way on a catalogue none of them holds.
 */
import * as tf from '@tensorflow/tfjs-core';
import { crossScores, standardisedScores } from '../../worker/model/cross';
import { crossTensorSpecs, type CrossConfig } from '../../worker/model/cross-manifest';
import type { Params } from '../../worker/model/tower';
import { CONTEXT_COUNT, PAIR_FEATURE_COUNT, PAIR_HISTORY, pairFeatures, type PairInteraction } from '../../worker/ranking/pairs';
import { SIGNALS, SIGNAL_COUNT, computeSignals, withListRarity, type HeadWeights } from '../../worker/ranking/signals';
import { Taste, itemTokens, tasteWeight, type ItemTokens } from '../../worker/ranking/taste';
import type { Dataset } from '../data/dataset';
import { seededRandom } from '../data/random';
import { caseSpecs, historyEvents, secondLast, type CaseSpec } from './head';
import { lastItems } from './model-head';

/** One ranking case as the scorer reads it: the engine's inputs for n candidates. */
export interface CrossCase {
  n: number;
  /** [n, SIGNAL_COUNT], the `model` column 0. */
  signals: Float32Array;
  /** [n, PAIR_HISTORY, PAIR_FEATURE_COUNT] */
  pairs: Float32Array;
  /** [PAIR_HISTORY] */
  mask: Float32Array;
  /** [n, CONTEXT_COUNT] */
  context: Float32Array;
  /** [n]: 1 where the history touches the candidate (the scorer's evidence). */
  touched: Float32Array;
  target: number;
}

const MODEL_COLUMN = SIGNALS.indexOf('model');
const SERVER_COLUMNS = [SIGNALS.indexOf('serverLin'), SIGNALS.indexOf('serverLog')];

/** Tokens of a log's items by row, computed once. */
export function tokenTable(data: Dataset): (row: number) => ItemTokens {
  const table = new Map<number, ItemTokens>();
  return (row) => {
    let t = table.get(row);
    if (!t) table.set(row, (t = itemTokens(data.features?.[row - 1])));
    return t;
  };
}

/** The inputs of one case, as the engine would compute them for this history and these candidates. */
export function crossCase(data: Dataset, spec: CaseSpec, tokensOf: (row: number) => ItemTokens): CrossCase {
  const events = historyEvents(data, spec);
  const profile = Taste.of(events).profile();
  const tokens = spec.rows.map(tokensOf);
  const ids = spec.rows.map((r) => data.itemIds[r - 1]);
  const signals = computeSignals({ tokens, ids, profile });
  const history: PairInteraction[] = [];
  for (let i = Math.max(0, spec.end - spec.cut); i < spec.end; i++) {
    const e = events[history.length];
    history.push({ itemId: e.itemId, tokens: tokensOf(spec.seq.items[i]), weight: tasteWeight(e) });
  }
  const pairs = withListRarity(tokens, (rarity) => pairFeatures({ ids, tokens }, history, rarity));
  return casePart(signals, pairs, spec.rows.indexOf(spec.seq.items[spec.end]));
}

/** A case from the engine's inputs. */
export function casePart(signals: Float32Array, pairs: ReturnType<typeof pairFeatures>, target: number): CrossCase {
  return { n: pairs.touched.length, signals, pairs: pairs.values, mask: pairs.mask, context: pairs.context, touched: Float32Array.from(pairs.touched), target };
}

/** A source log's cases: users' last and second-last items (the popularity never counts them). */
export function sourceSpecs(data: Dataset, count: number, seed: number): CaseSpec[] {
  return caseSpecs(data, [...secondLast(data), ...lastItems(data)], count, seed).filter((s) => s.rows.length === 100);
}

export interface CrossTraining {
  config: CrossConfig;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** L2 penalty on every weight. */
  l2: number;
  seed: number;
  /**
   * Keep the head's weights as given (trained without the scorer) and learn only how much the
   * scorer counts: the taste's weights then stay those that transfer to shops none of the logs hold.
   */
  fixHead?: boolean;
  log?: (line: string) => void;
}

export interface TrainedCross {
  params: Record<string, Float32Array>;
  /** The head over the signals with the scorer's column. */
  head: HeadWeights;
  loss: number;
}

interface Variables {
  cross: Record<string, tf.Variable>;
  head: tf.Variable;
  /** With `fixHead`: the head's weight of the scorer, the rest of `head` held. */
  modelWeight?: tf.Variable;
}

/** The variables a step trains: every one, or with `fixHead` the scorer and its weight in the head only. */
function trainable(v: Variables, fixHead: boolean): tf.Variable[] {
  return fixHead ? [...Object.values(v.cross), v.modelWeight!] : [...Object.values(v.cross), v.head];
}

function initVariables(config: CrossConfig, head: HeadWeights, seed: number): Variables {
  const cross: Record<string, tf.Variable> = {};
  let salt = 0;
  for (const { name, shape } of crossTensorSpecs(config)) {
    const fanIn = shape.length > 1 ? shape[0] : 1;
    const value = shape.length > 1 ? tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', seed + salt++) : tf.zeros(shape);
    cross[name] = tf.variable(value, true, name);
  }
  const start = Float32Array.from(SIGNALS, (name) => head[name] ?? 0);
  // The scorer starts with a small say, so the head it starts from ranks as before.
  start[MODEL_COLUMN] = 0.1;
  return { cross, head: tf.variable(tf.tensor1d(start), true, 'head'), modelWeight: tf.variable(tf.scalar(0.1), true, 'modelWeight') };
}

/** The head a step ranks with. */
function headOfStep(v: Variables, fixHead: boolean): tf.Tensor {
  if (!fixHead) return v.head;
  const column = tf.reshape(tf.oneHot(tf.tensor1d([MODEL_COLUMN], 'int32'), SIGNAL_COUNT), [SIGNAL_COUNT]);
  return tf.add(tf.mul(v.head, tf.sub(1, column)), tf.mul(column, v.modelWeight!));
}

/** Mean softmax cross-entropy of the targets over a batch of cases. */
function batchLoss(v: Variables, batch: readonly CrossCase[], l2: number, fixHead: boolean): tf.Scalar {
  const b = batch.length;
  const n = batch[0].n;
  const pairs = new Float32Array(b * n * PAIR_HISTORY * PAIR_FEATURE_COUNT);
  const mask = new Float32Array(b * PAIR_HISTORY);
  const signals = new Float32Array(b * n * SIGNAL_COUNT);
  const context = new Float32Array(b * n * CONTEXT_COUNT);
  const touched = new Float32Array(b * n);
  const targets = new Int32Array(b);
  batch.forEach((c, i) => {
    pairs.set(c.pairs, i * c.pairs.length);
    mask.set(c.mask, i * PAIR_HISTORY);
    signals.set(c.signals, i * c.signals.length);
    context.set(c.context, i * c.context.length);
    touched.set(c.touched, i * n);
    targets[i] = c.target;
  });
  return tf.tidy(() => {
    const s = tf.tensor3d(signals, [b, n, SIGNAL_COUNT]);
    const scores = crossScores(v.cross as Params, {
      pairs: tf.tensor4d(pairs, [b, n, PAIR_HISTORY, PAIR_FEATURE_COUNT]),
      mask: tf.tensor2d(mask, [b, PAIR_HISTORY]),
      signals: s,
      context: tf.tensor3d(context, [b, n, CONTEXT_COUNT]),
    });
    const logits = headLogits(headOfStep(v, fixHead), s, standardisedScores(scores, tf.tensor2d(touched, [b, n])));
    const loss = tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d(targets, 'int32'), n), logits);
    const penalty = tf.addN(Object.values(v.cross).map((w) => tf.sum(tf.square(w))));
    return tf.add(loss, tf.mul(penalty, l2)) as tf.Scalar;
  });
}

/** The head's score: its weights over the signals, the `model` column being the scorer's standardised score. */
export function headLogits(head: tf.Tensor, signals: tf.Tensor3D, model: tf.Tensor2D): tf.Tensor2D {
  const [b, n] = model.shape;
  const column = tf.oneHot(tf.fill([b * n], MODEL_COLUMN, 'int32'), SIGNAL_COUNT);
  const withModel = tf.add(signals, tf.mul(tf.reshape(column, [b, n, SIGNAL_COUNT]), tf.expandDims(model, 2)));
  return tf.reshape(matVec(tf.reshape(withModel, [b * n, SIGNAL_COUNT]), head), [b, n]) as tf.Tensor2D;
}

function matVec(m: tf.Tensor, v: tf.Tensor): tf.Tensor {
  return tf.reshape(tf.matMul(m as tf.Tensor2D, tf.reshape(v, [-1, 1]) as tf.Tensor2D), [-1]);
}

/**
 * Trains on `specs` of each log (cases are recomputed every epoch, in a new order), starting from
 * `head` (the head trained without the scorer). Adam with a linearly decaying learning rate.
 */
export async function trainCross(sources: ReadonlyArray<{ data: Dataset; specs: readonly CaseSpec[] }>, head: HeadWeights, options: CrossTraining): Promise<TrainedCross> {
  const { config, epochs, batchSize, learningRate, l2, seed, log } = options;
  const fixHead = options.fixHead ?? false;
  const v = initVariables(config, head, seed);
  const tables = sources.map((s) => tokenTable(s.data));
  const all: Array<[number, CaseSpec]> = sources.flatMap((s, i) => s.specs.map((spec) => [i, spec] as [number, CaseSpec]));
  const random = seededRandom(seed);
  const steps = epochs * Math.ceil(all.length / batchSize);
  const optimizer = tf.train.adam(learningRate, 0.9, 0.999, 1e-7);
  let step = 0;
  let loss = 0;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    for (let i = all.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [all[i], all[j]] = [all[j], all[i]];
    }
    let sum = 0;
    let batches = 0;
    const started = performance.now();
    for (let start = 0; start < all.length; start += batchSize) {
      const batch = all.slice(start, start + batchSize).map(([i, spec]) => crossCase(sources[i].data, spec, tables[i]));
      (optimizer as unknown as { learningRate: number }).learningRate = learningRate * (1 - step / steps);
      const cost = optimizer.minimize(() => batchLoss(v, batch, l2, fixHead), true, trainable(v, fixHead));
      sum += (await cost!.data())[0];
      cost!.dispose();
      batches++;
      step++;
      // The server's order only ever counts for an item: with nothing else to go on, it stands.
      tf.tidy(() => v.head.assign(tf.maximum(v.head, tf.tensor1d(SIGNALS.map((_, f) => (SERVER_COLUMNS.includes(f) ? 0 : -1e9))))));
    }
    loss = sum / batches;
    log?.(`cross epoch ${epoch}/${epochs}: loss ${loss.toFixed(4)} (${((performance.now() - started) / 1000).toFixed(0)}s)`);
  }
  const params: Record<string, Float32Array> = {};
  for (const [name, variable] of Object.entries(v.cross)) params[name] = (await variable.data()) as Float32Array;
  const headValues = await tf.tidy(() => headOfStep(v, fixHead)).data();
  const trainedHead = Object.fromEntries(SIGNALS.map((name, f) => [name, Math.round(headValues[f] * 1e4) / 1e4])) as HeadWeights;
  tf.dispose([...Object.values(v.cross), v.head, ...(v.modelWeight ? [v.modelWeight] : [])]);
  optimizer.dispose();
  return { params, head: trainedHead, loss };
}

/** Scores of the candidates of each case by a trained scorer and head, for evaluation. */
export function scoreCases(params: Params, head: HeadWeights, cases: readonly CrossCase[]): Float32Array[] {
  return cases.map((c) =>
    tf.tidy(() => {
      const s = tf.tensor3d(c.signals, [1, c.n, SIGNAL_COUNT]);
      const scores = crossScores(params, {
        pairs: tf.tensor4d(c.pairs, [1, c.n, PAIR_HISTORY, PAIR_FEATURE_COUNT]),
        mask: tf.tensor2d(c.mask, [1, PAIR_HISTORY]),
        signals: s,
        context: tf.tensor3d(c.context, [1, c.n, CONTEXT_COUNT]),
      });
      const h = tf.tensor1d(SIGNALS.map((name) => head[name] ?? 0));
      return headLogits(h, s, standardisedScores(scores, tf.tensor2d(c.touched, [1, c.n]))).dataSync() as Float32Array;
    }),
  );
}
