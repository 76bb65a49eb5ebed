/**
 * The cross scorer as the engine uses it (the `ModelPart` of a `kind: 'cross'` model): from the
 * candidates' features and the visitor's history it computes what the scorer reads (signals, pair
 * features, each candidate's context: ranking/), runs the scorer on the candidates the history
 * touches, and fine-tunes the visitor's own offset of their pooled interests on the lists they chose
 * from (`fineTune`), with TensorFlow.js on the backend the part chose.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ItemFeatures } from '../../shared/types';
import type { BackendChoice } from './backend';
import { loseGpu } from './backend';
import { BackendRecovery } from './recovery';
import { modelInfo, type ModelInfo } from './manifest';
import { CONTEXT_COUNT, PAIR_FEATURE_COUNT, PAIR_HISTORY, pairFeatures, type PairInteraction, type Pairs } from '../ranking/pairs';
import { serverOrderOf } from '../ranking/rerank';
import { SIGNALS, SIGNAL_COUNT, computeSignals, withListRarity, type HeadWeights } from '../ranking/signals';
import { Taste, itemTokens, tasteWeight, type ItemTokens } from '../ranking/taste';
import { crossScores, crossScoresOfRows, standardisedScores } from './cross';
import type { CrossManifest } from './cross-manifest';
import type { Adaptation, BackendState, FineTunePage, FineTuneResult, ModelCandidates, ModelPart, ModelPartOptions, ModelTerm } from './contract';
import type { HistoryItem } from './scorer';
import type { Params } from './tower';

const CACHE_LIMIT = 50_000;
/** Lists needed before fine-tuning: a few to learn from and at least two to check the fit on. */
const MIN_PAGES = 5;
const MODEL_COLUMN = SIGNALS.indexOf('model');

/** The scorer's inputs for one list: what the engine computes, for the candidates the history touches. */
export interface CrossInputs {
  n: number;
  signals: Float32Array;
  pairs: Pairs;
  /** Indices of the touched candidates, in the list's order. */
  touched: number[];
}

/** The inputs of a list of candidates (tokens in the list's order) for a history (oldest first). */
export function crossInputs(ids: readonly string[], tokens: readonly ItemTokens[], history: readonly PairInteraction[], profile: ReturnType<Taste['profile']>): CrossInputs {
  const signals = computeSignals({ tokens, ids, profile });
  const pairs = withListRarity(tokens, (rarity) => pairFeatures({ ids, tokens }, history, rarity));
  const touched: number[] = [];
  for (let i = 0; i < ids.length; i++) if (pairs.touched[i]) touched.push(i);
  return { n: ids.length, signals, pairs, touched };
}

/** Rows `rows` of a row-major array of `width` columns. */
function gatherRows(values: Float32Array, width: number, rows: readonly number[]): Float32Array {
  const out = new Float32Array(rows.length * width);
  rows.forEach((r, j) => out.set(values.subarray(r * width, (r + 1) * width), j * width));
  return out;
}

/**
 * The pairs of the touched candidates with the slots that hold an interaction only (the latest
 * `slots`: pairs.ts fills them last): padding slots weigh nothing in the attention nor the max, so
 * leaving them out changes no score, and a visitor with 3 interactions costs 3 slots, not 16.
 */
function filledPairs(pairs: Pairs, rows: readonly number[], slots: number): Float32Array {
  const width = PAIR_HISTORY * PAIR_FEATURE_COUNT;
  const skip = (PAIR_HISTORY - slots) * PAIR_FEATURE_COUNT;
  const kept = slots * PAIR_FEATURE_COUNT;
  const out = new Float32Array(rows.length * kept);
  rows.forEach((r, j) => out.set(pairs.values.subarray(r * width + skip, (r + 1) * width), j * kept));
  return out;
}

/** The slots that hold an interaction: the latest ones (pairs.ts fills them last). */
function filledSlots(pairs: Pairs): number {
  return Math.max(1, pairs.mask.reduce((sum, x) => sum + x, 0));
}

/** The scorer over the touched candidates of `inputs`, for ranking: [1, touched] raw scores (tensor; caller disposes). */
export function touchedScores(params: Params, inputs: CrossInputs, offset?: tf.Tensor2D): tf.Tensor2D {
  const t = inputs.touched.length;
  const slots = filledSlots(inputs.pairs);
  return tf.tidy(() =>
    crossScoresOfRows(params, {
      pairs: tf.tensor2d(filledPairs(inputs.pairs, inputs.touched, slots), [t * slots, PAIR_FEATURE_COUNT]),
      candidates: t,
      slots,
      signals: tf.tensor2d(gatherRows(inputs.signals, SIGNAL_COUNT, inputs.touched), [t, SIGNAL_COUNT]),
      context: tf.tensor2d(gatherRows(inputs.pairs.context, CONTEXT_COUNT, inputs.touched), [t, CONTEXT_COUNT]),
      offset,
    }),
  );
}

/** The same scores through the layers training uses, for fine-tuning (gradients). */
export function touchedScoresDense(params: Params, inputs: CrossInputs, offset?: tf.Tensor2D): tf.Tensor2D {
  const t = inputs.touched.length;
  const slots = filledSlots(inputs.pairs);
  return tf.tidy(() =>
    crossScores(params, {
      pairs: tf.tensor4d(filledPairs(inputs.pairs, inputs.touched, slots), [1, t, slots, PAIR_FEATURE_COUNT]),
      mask: tf.tensor2d(inputs.pairs.mask.subarray(PAIR_HISTORY - slots), [1, slots]),
      signals: tf.tensor3d(gatherRows(inputs.signals, SIGNAL_COUNT, inputs.touched), [1, t, SIGNAL_COUNT]),
      context: tf.tensor3d(gatherRows(inputs.pairs.context, CONTEXT_COUNT, inputs.touched), [1, t, CONTEXT_COUNT]),
      offset,
    }),
  );
}

/** A history as the pairs read it. */
export function pairHistory(history: readonly HistoryItem[], tokensOf: (item: HistoryItem) => ItemTokens): PairInteraction[] {
  const out: PairInteraction[] = [];
  for (const h of history) {
    const weight = tasteWeight(h);
    if (weight > 0) out.push({ itemId: h.itemId, tokens: tokensOf(h), weight });
  }
  return out;
}

/** The cross scorer's parameters from a manifest and its weights (checked by `checkCrossManifest`). */
function crossParams(manifest: CrossManifest, weights: ArrayBuffer): Params {
  const params: Params = {};
  for (const { name, shape, offset } of manifest.tensors) {
    const size = shape.reduce((a, b) => a * b, 1);
    params[name] = tf.tensor(new Float32Array(weights.slice(offset, offset + size * 4)), shape, 'float32');
  }
  return params;
}

/** Loads a cross model on the backend chosen for this device, and runs it once. */
export async function createCrossPart(manifest: CrossManifest, weights: ArrayBuffer, choice: BackendChoice, options: Pick<ModelPartOptions, 'onRecovered' | 'onLost'>): Promise<ModelPart> {
  const part = new CrossPart(manifest, weights, null, choice, options);
  await part.warmUp();
  return part;
}

/**
 * A cross model on the backend TensorFlow.js runs now (Node: the evaluation, tests): its tensors
 * made once, shared by every part it hands out (one per engine), released by `dispose()`.
 */
export function crossModelOf(manifest: CrossManifest, weights: ArrayBuffer): { part(): ModelPart; dispose(): void } {
  const params = crossParams(manifest, weights);
  const choice: BackendChoice = { backend: tf.getBackend() as BackendChoice['backend'], reason: 'the backend TensorFlow.js ran when the model was given', gpu: { adapter: 'none' }, timings: {} };
  return { part: () => new CrossPart(manifest, weights, params, choice, {}), dispose: () => tf.dispose(Object.values(params)) };
}

/** The cross scorer as the engine's model part: its term, its caches, the visitor's fine-tuning. */
class CrossPart implements ModelPart {
  readonly info: ModelInfo;
  private params: Params;
  private readonly tokens = new Map<string, { features: string | null; tokens: ItemTokens }>();
  /** The visitor's adaptation as a tensor, for the array the engine hands (a new array when it changes). */
  private offset: { values: Adaptation; tensor: tf.Tensor2D } | null = null;
  private readonly recovery: BackendRecovery;
  private closed = false;

  /** False when the tensors are shared with other parts (Node), which release them. */
  private readonly ownsParams: boolean;

  /** `shared`: tensors made already (and released) by the caller; null: this part makes and owns them, and watches its GPU. */
  constructor(
    private readonly manifest: CrossManifest,
    private readonly weights: ArrayBuffer,
    shared: Params | null,
    private choice: BackendChoice,
    private readonly options: Pick<ModelPartOptions, 'onRecovered' | 'onLost'>,
  ) {
    this.info = modelInfo(manifest);
    this.ownsParams = shared === null;
    this.params = shared ?? crossParams(manifest, weights);
    this.recovery = new BackendRecovery({
      active: () => !this.closed,
      rebuild: async (next) => this.rebuild(next),
      recovered: (backend, reason) => this.options.onRecovered?.(backend, reason),
      degraded: (failure) => this.options.onLost?.(failure),
    });
    if (this.ownsParams) this.recovery.watch(choice);
  }

  private get hidden(): number {
    return this.manifest.config.hidden;
  }

  backend(): BackendState {
    const { backend, reason, gpu } = this.choice;
    return { backend, reason, gpu };
  }

  /** Tokens of a candidate, from its features' JSON, cached by id while its features stay the same. */
  private tokensOf(id: string, features: string | null): ItemTokens {
    const cached = this.tokens.get(id);
    if (cached && cached.features === features) return cached.tokens;
    const tokens = itemTokens(features === null ? undefined : (JSON.parse(features) as ItemFeatures));
    if (!cached && this.tokens.size >= CACHE_LIMIT) {
      const oldest = this.tokens.keys().next().value;
      if (oldest !== undefined) this.tokens.delete(oldest);
    }
    this.tokens.set(id, { features, tokens });
    return tokens;
  }

  private offsetOf(adaptation: Adaptation | null | undefined): tf.Tensor2D | undefined {
    if (!adaptation || adaptation.length !== this.hidden) return undefined;
    if (this.offset?.values !== adaptation) {
      this.offset?.tensor.dispose();
      this.offset = { values: adaptation, tensor: tf.tensor2d(adaptation, [1, this.hidden]) };
    }
    return this.offset.tensor;
  }

  /** The scorer's raw score of each candidate the history touches; evidence 1 there, 0 elsewhere. */
  async term(candidates: ModelCandidates, history: readonly HistoryItem[], _now: number, adaptation?: Adaptation | null): Promise<ModelTerm | undefined> {
    if (this.closed || !this.recovery.available()) return undefined;
    const interactions = pairHistory(history, (h) => itemTokens(h.features));
    if (interactions.length === 0) return undefined;
    // The scorer reads the list in the server's order, as the engine's signals do.
    const server = serverOrderOf(candidates.serverScores ?? null, candidates.ids.length);
    const ids = Array.from(server, (i) => candidates.ids[i]);
    const tokens = Array.from(server, (i) => this.tokensOf(candidates.ids[i], candidates.features[i]));
    const inputs = crossInputs(ids, tokens, interactions, Taste.of(history).profile());
    if (inputs.touched.length === 0) return undefined;
    const computed = touchedScores(this.params, inputs, this.offsetOf(adaptation));
    const values = (await computed.data()) as Float32Array;
    computed.dispose();
    const scores = new Float32Array(inputs.n);
    const evidence = new Float32Array(inputs.n);
    inputs.touched.forEach((rank, j) => {
      if (!Number.isFinite(values[j])) return;
      scores[server[rank]] = values[j];
      evidence[server[rank]] = 1;
    });
    return { scores, evidence };
  }

  /**
   * Fits the visitor's offset of their pooled interests on the lists they chose from: the chosen
   * item against the items shown above it and skipped (softmax, the head as adjusted for the
   * visitor), Adam with an L2 pull to zero. The most recent fifth of the lists (at least two) is held
   * out: the fit is kept only if they rank at least as well on average, and one of them better.
   */
  async fineTune(pages: readonly FineTunePage[], head: HeadWeights, current: Adaptation | null, options: { steps?: number; learningRate?: number; l2?: number } = {}): Promise<FineTuneResult> {
    const steps = options.steps ?? 40;
    const l2 = options.l2 ?? 0.05;
    const cases = pages.map((page) => ({ page, inputs: crossInputs(page.ids, page.tokens, page.history, page.profile) })).filter((c) => c.inputs.touched.length > 0 && c.page.history.length > 0);
    const base = { steps: 0, pages: cases.length, kept: false, holdoutBefore: 0, holdoutAfter: 0, adaptation: current };
    if (cases.length < MIN_PAGES) return { ...base, reason: `too little data: ${cases.length} lists with a choice the scorer reads, need ${MIN_PAGES}` };
    const holdout = Math.max(2, Math.round(cases.length * 0.2));
    const train = cases.slice(0, cases.length - holdout);
    const test = cases.slice(cases.length - holdout);
    const weights = tf.tensor1d(SIGNALS.map((name) => head[name] ?? 0));
    const offset = tf.variable(tf.zeros([1, this.hidden]), true);
    const optimizer = tf.train.adam(options.learningRate ?? 0.05, 0.9, 0.999, 1e-7);
    const before = tf.tensor2d(current && current.length === this.hidden ? current : new Float32Array(this.hidden), [1, this.hidden]);
    try {
      for (let step = 0; step < steps; step++) {
        const cost = optimizer.minimize(() => {
          const losses = train.map((c) => tf.neg(tf.sum(tf.slice(tf.logSoftmax(pageLogits(this.params, c.inputs, c.page, weights, offset as tf.Tensor as tf.Tensor2D)), [0], [1]))));
          return tf.add(tf.div(tf.addN(losses), train.length), tf.mul(tf.sum(tf.square(offset)), l2)) as tf.Scalar;
        }, true, [offset]);
        cost?.dispose();
      }
      const ranks = async (o: tf.Tensor2D) => {
        const out: number[] = [];
        for (const c of test) {
          const logits = tf.tidy(() => pageLogits(this.params, c.inputs, c.page, weights, o));
          const values = await logits.data();
          logits.dispose();
          let rank = 1;
          for (let i = 1; i < values.length; i++) if (values[i] >= values[0]) rank++;
          out.push(1 / rank);
        }
        return out;
      };
      const was = await ranks(before);
      const now = await ranks(offset as tf.Tensor as tf.Tensor2D);
      const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
      const kept = mean(now) >= mean(was) && now.some((v, i) => v > was[i]);
      const summary = `held-out MRR ${mean(was).toFixed(3)} -> ${mean(now).toFixed(3)} on ${holdout} recent lists`;
      const fitted = Float32Array.from((await offset.data()) as Float32Array);
      return { steps, pages: cases.length, kept, holdoutBefore: mean(was), holdoutAfter: mean(now), adaptation: kept ? fitted : current, reason: kept ? `kept: ${summary}` : `rejected: ${summary}, not better` };
    } finally {
      tf.dispose([weights, offset, before]);
      optimizer.dispose();
    }
  }

  clear(): void {
    this.tokens.clear();
    this.offset?.tensor.dispose();
    this.offset = null;
  }

  tensors(): number {
    return tf.memory().numTensors;
  }

  loseGpu(): void {
    loseGpu();
  }

  /** After a GPU loss: the same weights as new tensors on the backend recovery chose. */
  private rebuild(choice: BackendChoice): void {
    this.choice = choice;
    // The old tensors lived on the lost device: drop the references, do not touch them.
    this.params = crossParams(this.manifest, this.weights);
    this.offset = null;
  }

  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsParams) tf.dispose(Object.values(this.params));
    this.offset?.tensor.dispose();
  }

  /** Runs the scorer once, so a GPU backend compiles its shaders within the loading's time. */
  async warmUp(): Promise<void> {
    const tokens = [itemTokens({ category: ['warm-up'], text: 'warm up' }), itemTokens({ text: 'warm' })];
    const history = [{ itemId: 'a', type: 'click' as const, time: 0, features: { text: 'warm up' } }];
    const inputs = crossInputs(['a', 'b'], tokens, pairHistory(history, (h) => itemTokens(h.features)), Taste.of(history).profile());
    const scores = touchedScores(this.params, inputs);
    await scores.data();
    scores.dispose();
  }
}

/**
 * A page's logits: the head over its signals with the scorer's standardised score in the `model`
 * column, for the chosen item first and then the items shown above it and skipped.
 */
function pageLogits(params: Params, inputs: CrossInputs, page: FineTunePage, head: tf.Tensor1D, offset: tf.Tensor2D): tf.Tensor1D {
  const t = inputs.touched.length;
  const raw = touchedScoresDense(params, inputs, offset);
  const model = standardisedScores(raw, tf.ones([1, t]));
  // Matmuls with one-hot rows instead of gathers: the wasm backend has no gradient for a gather.
  const placed = tf.matMul(model, tf.oneHot(tf.tensor1d(inputs.touched, 'int32'), inputs.n)) as tf.Tensor2D;
  const members = [page.chosen, ...page.skipped];
  const signals = tf.tensor2d(gatherRows(inputs.signals, SIGNAL_COUNT, members), [members.length, SIGNAL_COUNT]);
  const modelOfMembers = tf.reshape(tf.matMul(placed, tf.transpose(tf.oneHot(tf.tensor1d(members, 'int32'), inputs.n))), [-1]);
  const column = tf.oneHot(tf.fill([members.length], MODEL_COLUMN, 'int32'), SIGNAL_COUNT);
  const withModel = tf.add(signals, tf.mul(column, tf.expandDims(modelOfMembers, 1)));
  return tf.reshape(tf.matMul(withModel, tf.reshape(head, [-1, 1])), [-1]) as tf.Tensor1D;
}

