/**
 * Trains the ranker head: one weight per relational signal (`src/worker/ranking/signals.ts`), fitted with
 * a softmax over each case's candidates so that the item the user really chose next ranks first.
 * Cases come from interaction logs in two forms: "catalogue" cases, where the model knows nothing
 * of the log (only the taste and the server's order speak), and "in-domain" cases, where the
 * model's own score joins them. A head trained on several logs transfers to shops it never saw.
 */
import * as tf from '@tensorflow/tfjs-core';
import { SIGNALS, SIGNAL_COUNT, computeSignals, type HeadWeights } from '../../worker/ranking/signals';
import { Taste, itemTokens, type ItemTokens, type TasteEvent } from '../../worker/ranking/taste';
import { itemEvidence, historyEvidence } from '../../worker/model/evidence';
import type { Scorer } from '../../worker/model/scorer';
import { seededRandom } from '../data/random';
import type { Dataset, Sequence } from '../data/dataset';
import { caseTime, sampleNegatives } from './rank';

/** History cuts the head is trained on, like the evaluation's (Infinity: everything). */
export const HEAD_CUTS = [1, 2, 3, 5, 10, Infinity] as const;

export interface HeadCase {
  /** Row-major [candidates, SIGNAL_COUNT]. */
  signals: Float32Array;
  candidates: number;
  /** Index of the chosen item among the candidates. */
  target: number;
}

/** Item counts of the log without each user's last `holdOut` items: the shop's bestseller order. */
export function popularity(data: Dataset, holdOut: number): Float64Array {
  const counts = new Float64Array(data.itemIds.length + 1);
  for (const s of data.sequences) for (let i = 0; i < s.items.length - holdOut; i++) counts[s.items[i]]++;
  return counts;
}

export interface CaseSpec {
  seq: Sequence;
  /** Index of the target item in the sequence; the history is everything before it. */
  end: number;
  /** Keep only the last `cut` history events. */
  cut: number;
  /** Candidate rows in the server's order, the target among them. */
  rows: number[];
}

/** `count` of the pool's targets against 99 uniform never-touched items each, popularity order. */
export function caseSpecs(
  data: Dataset,
  pool: ReadonlyArray<{ seq: Sequence; end: number }>,
  count: number,
  seed: number,
  cuts: readonly number[] = HEAD_CUTS,
): CaseSpec[] {
  const random = seededRandom(seed);
  const pop = popularity(data, 2);
  const chosen = pool.filter((p) => p.end >= 1);
  for (let i = chosen.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [chosen[i], chosen[j]] = [chosen[j], chosen[i]];
  }
  return chosen.slice(0, count).map(({ seq, end }) => {
    const rows = [seq.items[end], ...sampleNegatives(data, seq, 99, random)].sort((a, b) => pop[b] - pop[a] || a - b);
    return { seq, end, cut: cuts[Math.floor(random() * cuts.length)], rows };
  });
}

/** Every user's second-last item: targets no evaluation tests on. */
export function secondLast(data: Dataset): Array<{ seq: Sequence; end: number }> {
  return data.sequences.filter((s) => s.items.length >= 3).map((seq) => ({ seq, end: seq.items.length - 2 }));
}

/** The history events of a spec, as the engine would have stored them. */
export function historyEvents(data: Dataset, spec: CaseSpec): TasteEvent[] {
  const out: TasteEvent[] = [];
  for (let i = Math.max(0, spec.end - spec.cut); i < spec.end; i++) {
    const row = spec.seq.items[i];
    out.push({ itemId: data.itemIds[row - 1], type: data.eventType, time: spec.seq.times[i], features: data.features?.[row - 1] });
  }
  return out;
}

/** Signals of catalogue cases: the model knows nothing, so it has no term. */
export function catalogueCases(data: Dataset, specs: readonly CaseSpec[]): HeadCase[] {
  const tokens = new Map<number, ItemTokens>();
  const tokensOf = (row: number) => {
    let t = tokens.get(row);
    if (!t) tokens.set(row, (t = itemTokens(data.features?.[row - 1])));
    return t;
  };
  return specs.map((spec) => {
    const profile = Taste.of(historyEvents(data, spec)).profile();
    return {
      signals: computeSignals({ tokens: spec.rows.map(tokensOf), ids: spec.rows.map((r) => data.itemIds[r - 1]), profile }),
      candidates: spec.rows.length,
      target: spec.rows.indexOf(spec.seq.items[spec.end]),
    };
  });
}

/**
 * Signals of in-domain cases, with the model's score of every candidate. `prior`: trust the model
 * for an empty history too (as the engine does when the model's card says its prior beats the server).
 */
export async function inDomainCases(data: Dataset, specs: readonly CaseSpec[], scorer: Scorer, options: { prior?: boolean; batch?: number } = {}): Promise<HeadCase[]> {
  const batch = options.batch ?? 128;
  const base = catalogueCases(data, specs);
  for (let start = 0; start < specs.length; start += batch) {
    const chunk = specs.slice(start, start + batch);
    const histories = chunk.map((spec) => historyEvents(data, spec));
    const users = scorer.userStates(histories, chunk.map((spec) => caseTime(data, spec.seq, spec.end)));
    const refs = chunk.flatMap((spec) => spec.rows.map((r) => ({ id: data.itemIds[r - 1], features: data.features?.[r - 1] })));
    const items = scorer.itemVectors(refs);
    const owner = Int32Array.from(chunk.flatMap((spec, i) => spec.rows.map(() => i)));
    const scores = tf.tidy(() => tf.sum(tf.mul(tf.gather(users, tf.tensor1d(owner, 'int32')), items), 1));
    const values = (await scores.data()) as Float32Array;
    tf.dispose([users, items, scores]);
    let at = 0;
    chunk.forEach((spec, i) => {
      const n = spec.rows.length;
      const user = histories[i].length === 0 && options.prior ? 1 : historyEvidence(scorer, histories[i]);
      const evidence = Float32Array.from(spec.rows, (r) => user * itemEvidence(scorer, data.itemIds[r - 1], data.features?.[r - 1]));
      const profile = Taste.of(histories[i]).profile();
      base[start + i].signals = computeSignals({
        tokens: spec.rows.map((r) => itemTokens(data.features?.[r - 1])),
        ids: spec.rows.map((r) => data.itemIds[r - 1]),
        profile,
        model: { scores: values.slice(at, at + n), evidence },
      });
      at += n;
    });
  }
  return base;
}

export interface HeadTraining {
  epochs: number;
  learningRate: number;
  /** L2 penalty on the weights. */
  l2: number;
  log?: (line: string) => void;
}

const SERVER_COLUMNS = [SIGNALS.indexOf('serverLin'), SIGNALS.indexOf('serverLog')];

const DEFAULT_TRAINING: HeadTraining = { epochs: 300, learningRate: 0.05, l2: 1e-4 };

/** Full-batch Adam on the mean softmax cross-entropy of the chosen items. */
export function trainHead(cases: readonly HeadCase[], options: Partial<HeadTraining> = {}): { weights: HeadWeights; loss: number } {
  const { epochs, learningRate, l2, log } = { ...DEFAULT_TRAINING, ...options };
  const w = new Float64Array(SIGNAL_COUNT);
  const m = new Float64Array(SIGNAL_COUNT);
  const v = new Float64Array(SIGNAL_COUNT);
  let loss = 0;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const grad = new Float64Array(SIGNAL_COUNT);
    loss = 0;
    for (const c of cases) loss += caseGradient(c, w, grad);
    loss /= cases.length;
    for (let f = 0; f < SIGNAL_COUNT; f++) {
      const g = grad[f] / cases.length + l2 * w[f];
      m[f] = 0.9 * m[f] + 0.1 * g;
      v[f] = 0.999 * v[f] + 0.001 * g * g;
      w[f] -= (learningRate * (m[f] / (1 - 0.9 ** epoch))) / (Math.sqrt(v[f] / (1 - 0.999 ** epoch)) + 1e-8);
      // The server's position only ever counts for an item: with nothing else to go on, its order stands.
      if (SERVER_COLUMNS.includes(f)) w[f] = Math.max(0, w[f]);
    }
    if (epoch % 100 === 0 || epoch === epochs) log?.(`head epoch ${epoch}: loss ${loss.toFixed(4)}`);
  }
  const weights = Object.fromEntries(SIGNALS.map((name, f) => [name, Math.round(w[f] * 1e4) / 1e4])) as Record<string, number>;
  return { weights: weights as HeadWeights, loss };
}

/** Adds this case's gradient to `grad`; returns its loss. */
function caseGradient(c: HeadCase, w: Float64Array, grad: Float64Array): number {
  const n = c.candidates;
  const scores = new Float64Array(n);
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let f = 0; f < SIGNAL_COUNT; f++) s += c.signals[i * SIGNAL_COUNT + f] * w[f];
    scores[i] = s;
    if (s > max) max = s;
  }
  let z = 0;
  for (let i = 0; i < n; i++) z += (scores[i] = Math.exp(scores[i] - max));
  for (let i = 0; i < n; i++) {
    const coefficient = scores[i] / z - (i === c.target ? 1 : 0);
    for (let f = 0; f < SIGNAL_COUNT; f++) grad[f] += coefficient * c.signals[i * SIGNAL_COUNT + f];
  }
  return -Math.log(scores[c.target] / z);
}

/** Where a head's training cases came from, recorded in the model manifest. */
export interface HeadSource {
  dataset: string;
  mode: 'in-domain' | 'catalogue';
  cases: number;
}

export interface TrainedHead {
  weights: HeadWeights;
  loss: number;
  trainedOn: HeadSource[];
}

/**
 * A head for a model: in-domain cases of its own log (the model's score among the signals), plus
 * catalogue cases of other logs, where the model knows nothing and only taste and server speak.
 * Null when the logs hold no case (no user with a history and a next item).
 */
export async function trainModelHead(
  model: { scorer: Scorer; data: Dataset; pool: ReadonlyArray<{ seq: Sequence; end: number }> } | null,
  transfer: readonly Dataset[],
  options: { cases?: number; seed?: number; log?: (line: string) => void } = {},
): Promise<TrainedHead | null> {
  const count = options.cases ?? 3000;
  const seed = options.seed ?? 99;
  const cases: HeadCase[] = [];
  const trainedOn: HeadSource[] = [];
  if (model) {
    const own = await inDomainCases(model.data, caseSpecs(model.data, model.pool, count, seed), model.scorer);
    cases.push(...own);
    trainedOn.push({ dataset: model.data.name, mode: 'in-domain', cases: own.length });
  }
  for (const data of transfer) {
    const own = catalogueCases(data, caseSpecs(data, secondLast(data), count, seed));
    cases.push(...own);
    trainedOn.push({ dataset: data.name, mode: 'catalogue', cases: own.length });
  }
  if (cases.length === 0) return null;
  options.log?.(`ranker head: ${cases.length} cases (${trainedOn.map((s) => `${s.dataset} ${s.mode}`).join(', ')})`);
  const { weights, loss } = trainHead(cases, { log: options.log });
  return { weights, loss, trainedOn };
}
