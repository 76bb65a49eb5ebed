/**
 * A cross model from shops' logs, ready to ship: the ranker head without the scorer (what ranks
 * until the scorer is loaded, and on a shop where it is not), then the scorer and the head with it,
 * trained together, written as a `localrank-model/1` manifest and weights. The manifest records
 * every log it was trained on (with the files it was read from), so an evaluation can train the
 * same model without the log it tests on.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fnv1a } from '../../worker/ranking/features';
import { crossConfig, crossTensorSpecs, type CrossConfig, type CrossManifest } from '../../worker/model/cross-manifest';
import type { RankerSpec } from '../../worker/model/scorer';
import type { HeadWeights } from '../../worker/ranking/signals';
import type { Dataset } from '../data/dataset';
import { readDataset, stemOf } from '../data/load';
import { withText } from '../data/text';
import { readArtifacts, writeArtifacts } from './artifacts';
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

/**
 * From how many interactions the cross scorer's term is used (its card's `minHistory`). Measured
 * leave-one-catalogue-out (docs/quality.md): against the engine without it, NDCG@10 at k = 1 is
 * +.006 [-.000, +.011] on Beauty and -.003 [-.010, +.003] on Sports, from k = 3 on it is positive
 * (significantly so on Beauty from 3, on Sports from 5). Below 3 a visitor downloads none of it.
 */
export const CROSS_MIN_HISTORY = 3;

export const DEFAULT_CROSS: CrossOptions = { cases: 10_000, epochs: 3, hidden: 32, learningRate: 0.003, seed: 1 };

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

/**
 * Trains the head without the scorer, then the scorer with its head, on every log. `pool`: logs not
 * trained on, recorded for training the same model again without one of `logs`.
 */
export async function buildCrossModel(logs: ReadonlyArray<{ data: Dataset; source: CrossSource }>, options: CrossOptions, pool: readonly CrossSource[] = []): Promise<{ manifest: CrossManifest; weights: ArrayBuffer }> {
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
    // The taste's weights stay those the head learned without the scorer: measured leave-one-log-out,
    // a head trained together with the scorer transferred worse (docs/quality.md).
    fixHead: true,
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
  config.training = { logs: trainedOn.map((s) => s.dataset), cases: options.cases, epochs: options.epochs, learningRate: options.learningRate, seed: options.seed, fixHead: true, loss: trained.loss, seconds: (performance.now() - started) / 1000 };
  const artifacts = crossArtifacts(config, trained.params, trained.head, alone.weights, trainedOn);
  if (pool.length > 0) artifacts.manifest.ranker!.pool = pool.map((p) => ({ dataset: stemOf(p.path), path: p.path, ...(p.catalogues ? { attributes: p.catalogues.join(',') } : {}), ...(p.text ? { text: p.text } : {}) }));
  return artifacts;
}

/**
 * The same model trained without `dataset`, on the other logs its manifest records (trained on or
 * pooled), with its settings: the honest model for measuring `dataset` as a catalogue it never
 * saw. Cached under `cacheRoot` by logs and settings.
 */
export async function crossWithout(manifest: CrossManifest, dataset: string, cacheRoot: string, log?: (line: string) => void): Promise<{ manifest: CrossManifest; weights: ArrayBuffer }> {
  const ranker = manifest.ranker;
  const sources = [...(ranker?.trainedOn ?? []), ...(ranker?.pool ?? [])]
    .filter((s) => s.dataset !== dataset)
    .map((s): CrossSource => ({ path: s.path ?? '', ...(s.attributes ? { catalogues: s.attributes.split(',') } : {}), ...(s.text ? { text: s.text } : {}) }));
  const missing = sources.filter((s) => !s.path || !existsSync(s.path));
  if (sources.length === 0 || missing.length > 0) {
    throw new Error(`cannot train ${manifest.version} without ${dataset}: ${sources.length === 0 ? 'it records no other log' : `${missing.map((s) => s.path || '(no path)').join(', ')} not found`}`);
  }
  const training = (manifest.config.training ?? {}) as Partial<Record<'cases' | 'epochs' | 'learningRate' | 'seed', number>>;
  const options: CrossOptions = {
    cases: training.cases ?? DEFAULT_CROSS.cases,
    epochs: training.epochs ?? DEFAULT_CROSS.epochs,
    hidden: manifest.config.hidden,
    learningRate: training.learningRate ?? DEFAULT_CROSS.learningRate,
    seed: training.seed ?? DEFAULT_CROSS.seed,
    log,
  };
  const key = fnv1a(JSON.stringify({ sources, options: { ...options, log: undefined } })).toString(16);
  const dir = join(cacheRoot, `cross-without-${dataset}-${key}`);
  if (existsSync(join(dir, 'manifest.json'))) {
    log?.(`the model without ${dataset}: ${dir} (cached)`);
    return readArtifacts(dir) as unknown as { manifest: CrossManifest; weights: ArrayBuffer };
  }
  log?.(`training the model without ${dataset} on ${sources.map((s) => s.path).join(', ')} -> ${dir}`);
  const logs = [];
  for (const source of sources) logs.push({ data: await readCrossSource(source), source });
  const built = await buildCrossModel(logs, options);
  writeArtifacts(dir, built.manifest as never, built.weights);
  return built;
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
    card: { datasets, priorBeatsServer: false, readsAnyCatalogue: true, minHistory: CROSS_MIN_HISTORY },
    ranker: { weights: head, alone, trainedOn },
    config,
  };
  return { manifest, weights: bytes.buffer };
}
