/**
 * `npm run eval -- --dataset <file> [--protocol standard|device|retriever] [--users N] [--seed S]
 * [--json out.json] [--target test|valid] [--model dir]`: pretrains (cached under .cache/eval), or
 * loads the model in `--model`, and evaluates through the same Engine the browser runs, with
 * fake-indexeddb as storage. A `--model` must not have trained on the protocol's test items.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import 'fake-indexeddb/auto';
import { fnv1a } from '../worker/features';
import { Scorer } from '../worker/scorer';
import { seededRandom } from '../worker/trainer';
import { num, parseArgs, str } from './args';
import { readArtifacts, writeArtifacts } from './artifacts';
import { readDataset, type Dataset } from './dataset';
import { evaluateCases, type CaseResult } from './eval-core';
import { caseMetrics, meanMetrics, METRIC_NAMES, pairedBootstrap, type RankMetrics } from './metrics';
import { nodeEngineFactory } from './node-engine';
import { initTf } from './node-tf';
import { pretrain } from './pretrain';
import { configFromArgs, optionsFromArgs } from './pretrain-cli';
import { evalCases, splitFor, type Protocol, type Target } from './protocols';

interface Row extends RankMetrics {
  name: string;
  users: number;
  seconds: number;
}

function row(name: string, ranks: number[], seconds: number): Row {
  return { name, ...meanMetrics(ranks), users: ranks.length, seconds };
}

function printTable(title: string, rows: readonly Row[]): void {
  const header = ['row', ...METRIC_NAMES, 'users', 'wall s'];
  const lines = rows.map((r) => [r.name, ...METRIC_NAMES.map((k) => r[k].toFixed(4)), String(r.users), r.seconds.toFixed(1)]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(`\n${title}`);
  console.log(fmt(header));
  for (const l of lines) console.log(fmt(l));
}

/** The pretrained model of this dataset/split/config, from the cache or trained now. */
async function pretrained(data: Dataset, args: ReturnType<typeof parseArgs>, protocol: Protocol, target: Target) {
  const split = splitFor(data, protocol, target);
  const config = configFromArgs(args, data);
  const options = optionsFromArgs(args, (line) => console.log(`  ${line}`));
  const key = fnv1a(JSON.stringify({ config, options: { ...options, log: undefined }, n: split.train.length }));
  const dir = join(str(args, 'cache', '.cache/eval'), `${data.name}-${split.modelKey}-${key.toString(16)}`);
  if (existsSync(join(dir, 'manifest.json'))) {
    console.log(`pretrained model: ${dir} (cached)`);
  } else {
    console.log(`pretraining on ${split.train.length} sequences -> ${dir}`);
    const started = performance.now();
    options.validation = split.validation(data, num(args, 'valid-users', 2000), options.seed + 7);
    const result = await pretrain(data, split.train, config, options);
    result.manifest.config.training = {
      dataset: data.name,
      split: split.modelKey,
      epochs: result.epochs,
      validation: result.validation,
      seconds: (performance.now() - started) / 1000,
    };
    writeArtifacts(dir, result.manifest, result.weights);
  }
  return { split, ...readArtifacts(dir) };
}

export async function main(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv);
  const path = str(args, 'dataset');
  if (!path) throw new Error('usage: npm run eval -- --dataset <file> [--protocol standard|device|retriever] [--users N] [--seed S] [--json out.json] [--model dir]');
  const protocol = str(args, 'protocol', 'standard') as Protocol;
  if (!['standard', 'device', 'retriever'].includes(protocol)) throw new Error(`unknown protocol ${protocol}`);
  const target = str(args, 'target', 'test') as Target;
  const users = num(args, 'users', 2000);
  const seed = num(args, 'seed', 42);
  const started = performance.now();
  await initTf('wasm');
  const data = readDataset(path);
  console.log(`${data.name}: ${data.sequences.length} users, ${data.itemIds.length} items; protocol ${protocol}, target ${target}`);
  // --model <dir>: evaluate that model (e.g. one trained by `npm run pretrain:torch -- --holdout 2`) instead of pretraining.
  const modelDir = str(args, 'model');
  const { split, manifest, weights } = modelDir
    ? { split: splitFor(data, protocol, target), ...readArtifacts(modelDir) }
    : await pretrained(data, args, protocol, target);
  if (modelDir) console.log(`model: ${modelDir} (${manifest.version})`);
  if (args['pretrain-only']) return;
  const scorer = Scorer.fromArtifacts(manifest, weights);
  const { cases, recall, sampled } = evalCases(data, split, protocol, users, seed);
  console.log(`${cases.length} cases from ${sampled} sampled users${recall !== undefined ? `, retriever recall@100 ${recall.toFixed(4)}` : ''}`);

  const factory = nodeEngineFactory(scorer, 'eval');
  const evalStart = performance.now();
  const fineTune = !args['no-finetune'];
  const blendWeight = num(args, 'blend', 0.3);
  const results: CaseResult[] = await evaluateCases(factory, cases, {
    fineTune,
    blendWeight,
    onCase: (done) => {
      if (done % 200 === 0) console.log(`  ${done}/${cases.length} users, ${((performance.now() - evalStart) / 1000).toFixed(0)}s`);
    },
  });
  const seconds = (performance.now() - evalStart) / 1000;
  scorer.dispose();

  const serverName = protocol === 'retriever' ? 'retriever order' : 'server order (popularity)';
  const rows: Row[] = [row(serverName, results.map((r) => r.serverRank), 0), row('pretrained, frozen', results.map((r) => r.frozenRank), seconds)];
  const tuned = results.filter((r) => r.tunedRank !== null);
  let lift: Record<string, unknown> | undefined;
  if (fineTune) {
    rows.push(row('pretrained + on-device fine-tuning', tuned.map((r) => r.tunedRank as number), seconds));
    rows.push(row(`fine-tuned, blended with server order (serverWeight ${blendWeight})`, tuned.map((r) => r.blendRank as number), seconds));
    lift = {};
    for (const metric of ['NDCG@10', 'HR@10', 'MRR'] as const) {
      const a = tuned.map((r) => caseMetrics(r.frozenRank)[metric]);
      const b = tuned.map((r) => caseMetrics(r.tunedRank as number)[metric]);
      lift[metric] = pairedBootstrap(a, b, seededRandom(seed + 1));
    }
    lift.keptShare = tuned.filter((r) => r.kept).length / Math.max(1, tuned.length);
    lift.better = tuned.filter((r) => (r.tunedRank as number) < r.frozenRank).length;
    lift.worse = tuned.filter((r) => (r.tunedRank as number) > r.frozenRank).length;
    lift.meanTrainMs = tuned.reduce((s, r) => s + r.trainMs, 0) / Math.max(1, tuned.length);
  }
  const wall = (performance.now() - started) / 1000;
  printTable(`${data.name} / ${protocol} / ${target} (wall ${wall.toFixed(0)}s, eval ${seconds.toFixed(0)}s)`, rows);
  if (recall !== undefined) console.log(`candidate recall@100: ${recall.toFixed(4)} (${sampled} users; metrics above are on the ${cases.length} hits)`);
  if (lift) console.log(`fine-tuning lift (tuned - frozen, paired bootstrap 95% CI): ${JSON.stringify(lift)}`);
  const report = {
    dataset: data.name,
    protocol,
    target,
    users: results.length,
    sampledUsers: sampled,
    seed,
    recallAt100: recall,
    rows,
    lift,
    wallSeconds: wall,
    evalSeconds: seconds,
    model: { version: manifest.version, config: { ...manifest.config } },
  };
  const out = str(args, 'json', `eval-out/${data.name}-${protocol}-${target}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote ${out}`);
}
