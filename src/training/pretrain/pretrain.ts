/**
 * `src/training/pretrain/`: pretraining, a Dataset in and a `localrank-model/1` model out: the
 * model's parameters and loss, this loop, its state and checkpoints, validation ranking and its
 * metrics, the ranker head and the model's card, the manifest and artifacts on disk, the flags'
 * settings, and the runtimes (tfjs on wasm, the PyTorch trainer). It imports from `../data/` only
 * (and from the worker, whose scorer it trains). This file is its entry.
 *
 * Pretraining loop (Node, wasm backend): next-item prediction over every prefix of every
 * training sequence with a sampled-softmax loss, early-stopped on validation NDCG@10.
 */
import * as tf from '@tensorflow/tfjs-core';
import { EVENT_TYPES } from '../../shared/types';
import { Scorer, type ModelManifest } from '../../worker/model/scorer';
import { recencyBucket, type ScorerConfig } from '../../worker/model/tower';
import type { Dataset, Sequence } from '../data/dataset';
import { meanMetrics, type RankMetrics } from './metrics';
import { batchLoss, contentIndex, exportModel, initParams, type Batch } from './model';
import { rankWithScorer, type RankCase } from './rank';
import { countingRandom } from '../data/random';
import { optimizerState, restoreOptimizer, snapshot, type EpochRecord, type TrainState } from './train-state';

export interface PretrainOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Uniform negatives shared by a batch (the whole catalogue when it is smaller). */
  negatives: number;
  dropout: number;
  /** Share of item ids replaced by the unknown row in a step (trains the content path). */
  idDropout: number;
  seed: number;
  /** Cases to early-stop on (validation items, never test items). */
  validation?: RankCase[];
  /** Stop after this many evaluations without a better validation NDCG@10. */
  patience: number;
  /** Evaluate every this many epochs. */
  evalEvery: number;
  log?: (line: string) => void;
  /** Continue from a checkpoint of the same data and settings instead of starting over. */
  resume?: { state: TrainState; best: PretrainResult | null };
}

export interface PretrainHooks {
  /** After each optimiser step: `step` of `steps` in this epoch. */
  onStep?: (epoch: number, step: number, steps: number) => void;
  /** When validation improves (or, without validation cases, at each evaluation). */
  onBest?: (result: PretrainResult) => Promise<void>;
  /** After each epoch, with the state a checkpoint needs. */
  onEpoch?: (state: TrainState) => Promise<void>;
}

export const DEFAULT_CONFIG: ScorerConfig = {
  dim: 64,
  maxHistory: 50,
  blocks: 2,
  heads: 1,
  ffnDim: 64,
  hashBuckets: 0,
  maxTokens: 16,
  serverEmbeddingDim: 0,
  recencyBuckets: 24,
  eventTypes: [...EVENT_TYPES],
};

export const DEFAULT_OPTIONS: PretrainOptions = {
  epochs: 30,
  batchSize: 128,
  learningRate: 0.002,
  negatives: 512,
  dropout: 0.3,
  idDropout: 0.1,
  seed: 1,
  patience: 2,
  evalEvery: 2,
};

interface Window {
  seq: Sequence;
  /** Targets are seq[start..end). */
  start: number;
  end: number;
}

function windowsOf(seqs: readonly Sequence[], maxHistory: number, random: () => number): Window[] {
  const out: Window[] = [];
  for (const seq of seqs) {
    const n = seq.items.length;
    if (n === 0) continue;
    const count = Math.ceil(n / (maxHistory + 1));
    for (let w = 0; w < count; w++) {
      const end = w === 0 ? n : 1 + Math.floor(random() * n);
      out.push({ seq, start: Math.max(0, end - 1 - maxHistory), end });
    }
  }
  return out;
}

/**
 * `typeRows[t]` is the type-embedding row of EVENT_TYPES[t]; `typeIndex` that of sequences
 * without per-event types.
 */
function makeBatch(windows: readonly Window[], config: ScorerConfig, typeIndex: number, typeRows: readonly number[]): Batch {
  const b = windows.length;
  const steps = Math.max(1, ...windows.map((w) => w.end - 1 - w.start));
  const inputs = new Int32Array(b * steps);
  const types = new Int32Array(b * steps).fill(typeIndex);
  const mask = new Float32Array(b * (steps + 1));
  const recency = new Int32Array(b * (steps + 1));
  const slots: number[] = [];
  const targets: number[] = [];
  windows.forEach((w, i) => {
    const len = w.end - 1 - w.start;
    const pad = steps - len;
    const base = i * (steps + 1);
    mask[base + pad] = 1;
    recency[base + pad] = config.recencyBuckets - 1;
    if (w.start === 0) {
      slots.push(base + pad);
      targets.push(w.seq.items[0]);
    }
    for (let j = 0; j < len; j++) {
      const at = w.start + j;
      inputs[i * steps + pad + j] = w.seq.items[at];
      if (w.seq.types) types[i * steps + pad + j] = typeRows[w.seq.types[at]];
      mask[base + pad + j + 1] = 1;
      recency[base + pad + j + 1] = recencyBucket(w.seq.times[at + 1] - w.seq.times[at], config.recencyBuckets);
      slots.push(base + pad + j + 1);
      targets.push(w.seq.items[at + 1]);
    }
  });
  return { inputs, types, mask, recency, slots: Int32Array.from(slots), targets: Int32Array.from(targets), batch: b, steps };
}

export interface PretrainResult {
  manifest: ModelManifest;
  weights: ArrayBuffer;
  validation: RankMetrics | null;
  epochs: number;
  /** Loss, time and validation of every epoch run (resumed runs included). */
  history?: EpochRecord[];
}

/** Trains on `train` (each sequence fully; its items are the history) and returns the best export. */
export async function pretrain(
  data: Dataset,
  train: readonly Sequence[],
  config: ScorerConfig,
  options: PretrainOptions,
  hooks: PretrainHooks = {},
): Promise<PretrainResult> {
  const log = options.log ?? (() => undefined);
  const random = countingRandom(options.seed);
  const numItems = data.itemIds.length;
  const params = initParams(config, numItems, options.seed);
  const content = contentIndex(data, config);
  const typeIndex = Math.max(0, config.eventTypes.indexOf(data.eventType));
  const typeRows = EVENT_TYPES.map((t) => Math.max(0, config.eventTypes.indexOf(t)));
  const optimizer = tf.train.adam(options.learningRate, 0.9, 0.98, 1e-7);
  const vars = Object.values(params);
  let best: PretrainResult | null = null;
  let bestScore = -1;
  let bestEpoch = 0;
  let stale = 0;
  let stopped = false;
  let epoch = 0;
  const history: EpochRecord[] = [];
  if (options.resume) {
    const { state } = options.resume;
    for (const saved of state.params) {
      const v = params[saved.name];
      if (!v || v.shape.join() !== saved.shape.join()) throw new Error(`checkpoint tensor ${saved.name} does not fit this model`);
      v.assign(tf.tensor(saved.values, saved.shape));
    }
    await restoreOptimizer(optimizer, state.optimizer);
    random.skip(state.draws);
    best = options.resume.best;
    ({ bestScore, bestEpoch, stale, stopped, epoch } = state);
    history.push(...state.history);
    log(`resumed after epoch ${epoch}${best ? ` (best so far: epoch ${bestEpoch})` : ''}`);
  }
  const evaluate = async (): Promise<PretrainResult> => {
    const artifacts = await exportModel(params, config, data, content);
    let validation: RankMetrics | null = null;
    if (options.validation?.length) {
      const scorer = Scorer.fromArtifacts(artifacts.manifest, artifacts.weights);
      validation = meanMetrics(await rankWithScorer(scorer, options.validation));
      scorer.dispose();
    }
    return { ...artifacts, validation, epochs: epoch };
  };
  try {
    for (epoch = epoch + 1; epoch <= options.epochs && !stopped; epoch++) {
      const started = performance.now();
      const windows = windowsOf(train, config.maxHistory, random);
      for (let i = windows.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [windows[i], windows[j]] = [windows[j], windows[i]];
      }
      // Sort within chunks by length, so a batch pads little but batches stay shuffled.
      const chunk = options.batchSize * 32;
      for (let c = 0; c < windows.length; c += chunk) {
        const part = windows.slice(c, c + chunk).sort((x, y) => x.end - x.start - (y.end - y.start));
        windows.splice(c, part.length, ...part);
      }
      const order: number[] = [];
      for (let s = 0; s < windows.length; s += options.batchSize) order.push(s);
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      let lossSum = 0;
      const losses: tf.Scalar[] = [];
      for (let step = 0; step < order.length; step++) {
        const s = order[step];
        const batch = makeBatch(windows.slice(s, s + options.batchSize), config, typeIndex, typeRows);
        const negatives = new Int32Array(Math.min(options.negatives, numItems));
        if (options.negatives >= numItems) for (let k = 0; k < numItems; k++) negatives[k] = k + 1;
        else for (let k = 0; k < negatives.length; k++) negatives[k] = 1 + Math.floor(random() * numItems);
        const seed = Math.floor(random() * 2 ** 31);
        const cost = optimizer.minimize(
          () => batchLoss(params, config, content, batch, negatives, { dropout: options.dropout, idDropout: options.idDropout, seed, numItems }),
          true,
          vars,
        );
        if (cost) losses.push(cost);
        if (losses.length >= 20) {
          for (const l of losses) lossSum += (await l.data())[0];
          tf.dispose(losses);
          losses.length = 0;
        }
        hooks.onStep?.(epoch, step + 1, order.length);
      }
      for (const l of losses) lossSum += (await l.data())[0];
      tf.dispose(losses);
      const record: EpochRecord = { epoch, loss: lossSum / Math.max(1, order.length), seconds: (performance.now() - started) / 1000 };
      let line = `epoch ${epoch}: loss ${record.loss.toFixed(4)} (${record.seconds.toFixed(1)}s, ${order.length} batches)`;
      if (epoch % options.evalEvery === 0 || epoch === options.epochs) {
        const result = await evaluate();
        if (result.validation) {
          record.validation = result.validation;
          const score = result.validation['NDCG@10'];
          line += ` valid HR@10 ${result.validation['HR@10'].toFixed(4)} NDCG@10 ${score.toFixed(4)}`;
          if (score > bestScore) {
            bestScore = score;
            bestEpoch = epoch;
            best = result;
            stale = 0;
            await hooks.onBest?.(result);
          } else stale++;
        } else {
          best = result;
          bestEpoch = epoch;
          await hooks.onBest?.(result);
        }
      }
      history.push(record);
      log(line);
      if (stale >= options.patience) {
        log(`early stop: no better validation NDCG@10 in ${stale} evaluations`);
        stopped = true;
      }
      if (hooks.onEpoch) {
        const named = Object.entries(params).map(([name, tensor]) => ({ name, tensor }));
        await hooks.onEpoch({
          epoch,
          draws: random.draws,
          bestScore,
          bestEpoch,
          stale,
          stopped,
          history: [...history],
          params: await snapshot(named),
          optimizer: await optimizerState(optimizer),
        });
      }
    }
    const result = best ?? (await evaluate());
    return { ...result, history };
  } finally {
    optimizer.dispose();
    tf.dispose(vars);
    if (content) tf.dispose([content.buckets, content.counts]);
  }
}
