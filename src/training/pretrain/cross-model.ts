/**
 * A cross model from shops' logs, ready to ship: the ranker head without the scorer (what ranks
 * until the scorer is loaded, and on a shop where it is not), then the scorer and the head with it,
 * trained together, written as a `localrank-model/1` manifest and weights. The manifest records
 * every log it was trained on (with the files it was read from), so an evaluation can train the
 * same model without the log it tests on.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { crossConfig, crossTensorSpecs, type CrossConfig, type CrossManifest } from '../../worker/model/cross';
import type { RankerSpec } from '../../worker/model/scorer';
import type { HeadWeights } from '../../worker/ranking/signals';
import type { Dataset } from '../data/dataset';
import { readDataset } from '../data/load';
import { withText } from '../data/text';
import { sourceSpecs, trainCross } from './cross';
import { catalogueCases, trainHead } from './head';

/** A log and the files that describe its items (attributes, catalogues, item texts). */
export interface CrossSource {
  path: string;
  catalogues?: string[];
  text?: string;
}

export interface CrossOptions {
  /** Cases per log. */
  cases: number;
  epochs: number;
  hidden: number;
  learningRate: number;
  seed: number;
  log?: (line: string) => void;
}

export const DEFAULT_CROSS: CrossOptions = { cases: 15_000, epochs: 5, hidden: 32, learningRate: 0.003, seed: 1 };

/** True for an item2text file: a JSON object whose values are strings. */
export function isItemText(path: string): boolean {
  if (!path.toLowerCase().endsWith('.json') || !existsSync(path)) return false;
  const head = readFileSync(path, 'utf8').slice(0, 4096);
  return /^\s*\{\s*"[^"]*"\s*:\s*"/.test(head);
}

/** `log[:file[:file]]` entries, comma-separated; each file is an item2text file or a catalogue. */
export function parseCrossSources(list: string): CrossSource[] {
  return list.split(',').filter(Boolean).map((entry) => {
    const [path, ...files] = entry.split(':');
    const text = files.find(isItemText);
    const catalogues = files.filter((f) => f !== text);
    return { path, ...(catalogues.length ? { catalogues } : {}), ...(text ? { text } : {}) };
  });
}

export async function readCrossSource(source: CrossSource): Promise<Dataset> {
  const data = await readDataset(source.path, source.catalogues ?? []);
  return source.text ? withText(data, source.text) : data;
}

/** Trains the head without the scorer, then the scorer with its head, on every log. */
export async function buildCrossModel(logs: ReadonlyArray<{ data: Dataset; source: CrossSource }>, options: CrossOptions): Promise<{ manifest: CrossManifest; weights: ArrayBuffer }> {
  const config = crossConfig(options.hidden);
  const sources = logs.map(({ data }) => ({ data, specs: sourceSpecs(data, options.cases, options.seed + 98) }));
  const alone = trainHead(sources.flatMap((s) => catalogueCases(s.data, s.specs)), { log: options.log });
  options.log?.(`head without the scorer: ${JSON.stringify(alone.weights)}`);
  const started = performance.now();
  const trained = await trainCross(sources, alone.weights, {
    config,
    epochs: options.epochs,
    batchSize: 64,
    learningRate: options.learningRate,
    l2: 1e-5,
    seed: options.seed,
    log: options.log,
  });
  options.log?.(`head with the scorer: ${JSON.stringify(trained.head)}`);
  const trainedOn: RankerSpec['trainedOn'] = logs.map(({ data, source }, i) => ({
    dataset: data.name,
    mode: 'catalogue',
    cases: sources[i].specs.length,
    path: source.path,
    ...(source.catalogues ? { attributes: source.catalogues.join(',') } : {}),
    ...(source.text ? { text: source.text } : {}),
  }));
  config.training = { logs: trainedOn.map((s) => s.dataset), cases: options.cases, epochs: options.epochs, loss: trained.loss, seconds: (performance.now() - started) / 1000 };
  return crossArtifacts(config, trained.params, trained.head, alone.weights, trainedOn);
}

/** The manifest and weights file of trained cross parameters. */
export function crossArtifacts(config: CrossConfig, params: Record<string, Float32Array>, head: HeadWeights, alone: HeadWeights, trainedOn: RankerSpec['trainedOn']): { manifest: CrossManifest; weights: ArrayBuffer } {
  const specs = crossTensorSpecs(config);
  const bytes = new Uint8Array(specs.reduce((s, t) => s + t.shape.reduce((a, b) => a * b, 1) * 4, 0));
  const tensors: CrossManifest['tensors'] = [];
  let offset = 0;
  for (const { name, shape } of specs) {
    const values = params[name];
    bytes.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), offset);
    tensors.push({ name, shape, offset });
    offset += values.byteLength;
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const datasets = trainedOn.map((s) => s.dataset);
  const manifest: CrossManifest = {
    format: 'localrank-model/1',
    version: `cross-${datasets.join('+')}-${new Date().toISOString().slice(0, 10)}-${sha256.slice(0, 8)}`,
    weights: { path: 'weights.bin', byteLength: bytes.byteLength, sha256 },
    tensors,
    items: { ids: [] },
    card: { datasets, priorBeatsServer: false, readsAnyCatalogue: true },
    ranker: { weights: head, alone, trainedOn },
    config,
  };
  return { manifest, weights: bytes.buffer };
}
