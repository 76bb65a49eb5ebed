/**
 * `npm run pretrain -- --dataset <file|ml-100k dir> [--out dir] [--epochs N] ...`
 * Trains on every user's sequence but its last item, early-stops on those last items, writes
 * manifest.json + weights.bin.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_TYPES } from '../shared/types';
import { seededRandom } from './random';
import type { ScorerConfig } from '../worker/tower';
import { num, parseArgs, str, type Args } from './args';
import { writeArtifacts } from './artifacts';
import { readDataset, restrictItems, type Dataset, type Sequence } from './dataset';
import { initTf } from './node-tf';
import { DEFAULT_CONFIG, DEFAULT_OPTIONS, pretrain, type PretrainOptions } from './pretrain';
import { caseTime, historyOf, itemRef, sampleNegatives, type RankCase } from './rank';

export function configFromArgs(args: Args, data: Dataset): ScorerConfig {
  const dim = num(args, 'dim', DEFAULT_CONFIG.dim);
  return {
    ...DEFAULT_CONFIG,
    dim,
    maxHistory: num(args, 'max-history', DEFAULT_CONFIG.maxHistory),
    blocks: num(args, 'blocks', DEFAULT_CONFIG.blocks),
    heads: num(args, 'heads', DEFAULT_CONFIG.heads),
    ffnDim: num(args, 'ffn', dim),
    hashBuckets: num(args, 'hash-buckets', data.features ? 4096 : 0),
    maxTokens: num(args, 'max-tokens', DEFAULT_CONFIG.maxTokens),
    eventTypes: [...EVENT_TYPES],
  };
}

export function optionsFromArgs(args: Args, log: (line: string) => void): PretrainOptions {
  return {
    ...DEFAULT_OPTIONS,
    epochs: num(args, 'epochs', DEFAULT_OPTIONS.epochs),
    batchSize: num(args, 'batch', DEFAULT_OPTIONS.batchSize),
    learningRate: num(args, 'lr', DEFAULT_OPTIONS.learningRate),
    negatives: num(args, 'negatives', DEFAULT_OPTIONS.negatives),
    dropout: num(args, 'dropout', DEFAULT_OPTIONS.dropout),
    idDropout: num(args, 'id-dropout', DEFAULT_OPTIONS.idDropout),
    seed: num(args, 'seed', DEFAULT_OPTIONS.seed),
    patience: num(args, 'patience', DEFAULT_OPTIONS.patience),
    evalEvery: num(args, 'eval-every', DEFAULT_OPTIONS.evalEvery),
    log,
  };
}

/** Validation cases: each sampled user's sequence item at `end`, history before it. */
export function validationCases(data: Dataset, seqs: readonly Sequence[], end: (s: Sequence) => number, count: number, seed: number): RankCase[] {
  const random = seededRandom(seed);
  const pool = seqs.filter((s) => end(s) >= 1);
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, count).map((s) => {
    const e = end(s);
    return {
      user: s.user,
      history: historyOf(data, s, e),
      now: caseTime(data, s, e),
      candidates: [itemRef(data, s.items[e]), ...sampleNegatives(data, s, 99, random).map((r) => itemRef(data, r))],
    };
  });
}

/** catalog.json beside the model: id, title and categories of every item (the demo's film store). */
function writeCatalog(dir: string, data: Dataset): void {
  const items = data.itemIds.map((id, i) => ({ id, ...data.features![i] }));
  writeFileSync(join(dir, 'catalog.json'), `${JSON.stringify({ dataset: data.name, items })}\n`);
}

export async function main(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv);
  const path = str(args, 'dataset');
  if (!path) throw new Error('usage: npm run pretrain -- --dataset <file|dir> [--out dir] [--epochs N]');
  await initTf(str(args, 'backend', 'wasm') as 'wasm' | 'cpu');
  let data = readDataset(path);
  const maxItems = num(args, 'max-items', 0);
  if (maxItems > 0) data = restrictItems(data, maxItems);
  const users = num(args, 'users', 0);
  if (users > 0) data = { ...data, sequences: data.sequences.slice(0, users) };
  const config = configFromArgs(args, data);
  const options = optionsFromArgs(args, (line) => console.log(line));
  const train = data.sequences.map((s) => (s.items.length >= 3 ? { ...s, items: s.items.slice(0, -1), times: s.times.slice(0, -1) } : s));
  options.validation = validationCases(data, data.sequences.filter((s) => s.items.length >= 3), (s) => s.items.length - 1, num(args, 'valid-users', 2000), options.seed + 7);
  console.log(`${data.name}: ${data.sequences.length} users, ${data.itemIds.length} items, config ${JSON.stringify({ ...config, eventTypes: undefined })}`);
  const result = await pretrain(data, train, config, options);
  result.manifest.config.training = {
    dataset: data.name,
    epochs: result.epochs,
    validation: result.validation,
    options: { ...options, validation: undefined, log: undefined },
  };
  const out = str(args, 'out', `.cache/models/${data.name}`);
  writeArtifacts(out, result.manifest, result.weights);
  if (data.features) writeCatalog(out, data);
  console.log(`wrote ${out} (${result.manifest.weights.byteLength} bytes, version ${result.manifest.version})`);
  if (result.validation) console.log(`validation ${JSON.stringify(result.validation)}`);
}
