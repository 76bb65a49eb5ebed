/**
 * `src/training/eval/`: offline evaluation, logs replayed through the worker's Engine: the
 * protocols, the per-user loop (which also runs in a page), the catalogue protocol with its
 * facet-affinity baseline, the metrics beyond accuracy, and the Node side of the Node-vs-browser
 * parity check. It imports from `../data/` and `../pretrain/`, never from `../cli/`. This file,
 * `npm run eval`, is its entry.
 *
 * `npm run eval -- --dataset <file> [--attributes <item2attributes.json>] [--text <item2text.json>]
 *   [--protocol standard|device|retriever|catalogue|session] [--model <dir>] [--users N] [--seed S]
 *   [--json out.json] [--target test|valid]`
 * Measures ranking quality through the same Engine the browser runs, with fake-indexeddb as
 * storage. Sequence protocols pretrain a model on the log (cached under .cache/eval) unless
 * `--model` names one; the catalogue and session protocols use a model that never saw the log (the
 * bundled one by default, or the same model trained again without the log, cached likewise).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import 'fake-indexeddb/auto';
import { fnv1a } from '../../worker/ranking/features';
import type { ModelManifest } from '../../worker/model/scorer';
import { seededRandom } from '../data/random';
import { choice, num, parseArgs, str, type Args, type Command } from '../data/args';
import { InputError } from '../data/input-error';
import { readArtifacts, writeArtifacts } from '../pretrain/artifacts';
import { runCatalogue, tuneFacet, type CatalogueReport } from './catalogue-eval';
import { runSession } from './session';
import { isCrossManifest } from '../../worker/model/cross-manifest';
import { crossWithout } from '../pretrain/cross-model';
import { withText } from '../data/text';
import type { Dataset } from '../data/dataset';
import { evaluateCases, type CaseResult, type Variant } from './eval-core';
import { attachHead, headSources, retrainHeadWithout } from '../pretrain/model-head';
import { LIST_METRIC_NAMES, type ListMetrics } from './list-metrics';
import { caseMetrics, meanMetrics, METRIC_NAMES, pairedBootstrap, type RankMetrics } from '../pretrain/metrics';
import { nodeEngineFactory } from './node-engine';
import { initTf } from '../pretrain/node-tf';
import { pretrain } from '../pretrain/pretrain';
import { readDataset } from '../data/load';
import { configFromArgs, MODEL_FLAG_NAMES, optionsFromArgs } from '../pretrain/settings';
import { evalCases, splitFor, type Protocol, type Target } from './protocols';

const PROTOCOLS = ['standard', 'device', 'retriever', 'catalogue', 'session'] as const;
const USAGE =
  'usage: npm run eval -- --dataset <file> [--attributes <item2attributes.json>] [--text <item2text.json>] [--protocol standard|device|retriever|catalogue|session] [--model <dir>] [--users N] [--seed S] [--json out.json]';

/** Every flag `npm run eval` reads: its own, then the model and training flags of a pretraining. */
const EVAL: Command = {
  usage: USAGE,
  flags: ['dataset', 'attributes', 'text', 'protocol', 'target', 'model', 'users', 'seed', 'json', 'cache', 'pretrain-only', ...MODEL_FLAG_NAMES],
};

interface Row extends RankMetrics {
  name: string;
  users: number;
}

function printTable(title: string, rows: ReadonlyArray<Row & { cut?: number } & Partial<ListMetrics>>): void {
  // Beyond-accuracy columns appear where the protocol measures them (the catalogue protocol).
  const listed = LIST_METRIC_NAMES.filter((k) => rows.some((r) => r[k] !== undefined));
  const header = ['row', ...(rows.some((r) => r.cut !== undefined) ? ['k'] : []), ...METRIC_NAMES, ...listed, 'users'];
  const lines = rows.map((r) => [
    r.name,
    ...(r.cut !== undefined ? [r.cut === Infinity ? 'all' : String(r.cut)] : []),
    ...METRIC_NAMES.map((k) => r[k].toFixed(4)),
    ...listed.map((k) => (k === 'novelty' ? (r[k] ?? NaN).toFixed(0) : (r[k] ?? NaN).toFixed(4))),
    String(r.users),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(`\n${title}`);
  console.log(fmt(header));
  for (const l of lines) console.log(fmt(l));
}

/** The log, with a catalogue (e.g. S3-Rec item attributes, as tags) and item texts when given. */
async function readLog(args: Args): Promise<Dataset> {
  const path = str(args, 'dataset');
  if (!path) throw new InputError(`--dataset is required\n${USAGE}`);
  const attributes = str(args, 'attributes');
  const text = str(args, 'text');
  const data = await readDataset(path, attributes ? attributes.split(',') : []);
  return text ? withText(data, text) : data;
}

/** The model of this dataset/split/config pretrained on the log, from the cache or trained now. */
async function pretrained(data: Dataset, args: Args, protocol: Protocol, target: Target) {
  const split = splitFor(data, protocol, target);
  const config = configFromArgs(args, data);
  const options = optionsFromArgs(args, (line) => console.log(`  ${line}`));
  const attributes = str(args, 'attributes');
  const key = fnv1a(JSON.stringify({ config, options: { ...options, log: undefined }, n: split.train.length, ...(attributes ? { attributes } : {}) }));
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
  const artifacts = readArtifacts(dir);
  if (!artifacts.manifest.ranker) {
    await attachHead(artifacts, { data, pool: split.validationPool }, [], { log: (line) => console.log(`  ${line}`) });
    writeArtifacts(dir, artifacts.manifest, artifacts.weights);
  }
  return { split, ...artifacts };
}

function variantRows(results: readonly CaseResult[], variants: readonly Variant[], serverName: string): Row[] {
  const rows: Row[] = [{ name: serverName, users: results.length, ...meanMetrics(results.map((r) => r.serverRank)) }];
  for (const v of variants) rows.push({ name: `localrank ${v.name}`, users: results.length, ...meanMetrics(results.map((r) => r.ranks[v.name])) });
  return rows;
}

/** The standard, device and retriever protocols: the model was pretrained on this log. */
async function sequenceProtocol(data: Dataset, args: Args, protocol: Exclude<Protocol, 'catalogue'>) {
  const target = choice<Target>(args, 'target', ['test', 'valid'], 'test');
  const users = num(args, 'users', 2000);
  const seed = num(args, 'seed', 42);
  const modelDir = str(args, 'model');
  const { split, manifest, weights } = modelDir ? { split: splitFor(data, protocol, target), ...readArtifacts(modelDir) } : await pretrained(data, args, protocol, target);
  if (args['pretrain-only']) return null;
  const factory = nodeEngineFactory({ manifest, weights }, 'eval');
  const { cases, recall, sampled } = evalCases(data, split, protocol, users, seed);
  console.log(`${cases.length} cases from ${sampled} sampled users${recall !== undefined ? `, retriever recall@100 ${recall.toFixed(4)}` : ''}`);
  const variants: Variant[] = [
    { name: 'model alone', learn: false, rerank: { serverWeight: 0 } },
    { name: 'frozen', learn: false },
    { name: 'learning', learn: true, train: true },
  ];
  const started = performance.now();
  const results = await evaluateCases(factory, cases, variants, (done) => {
    if (done % 200 === 0) console.log(`  ${done}/${cases.length} users, ${((performance.now() - started) / 1000).toFixed(0)}s`);
  });
  factory.dispose();
  const rows = variantRows(results, variants, protocol === 'retriever' ? 'retriever order' : 'server order (popularity)');
  const ndcg = (name: string) => results.map((r) => caseMetrics(name === 'server' ? r.serverRank : r.ranks[name])['NDCG@10']);
  const random = seededRandom(seed + 1);
  const lift = {
    'learning - frozen': pairedBootstrap(ndcg('frozen'), ndcg('learning'), random),
    'learning - model alone': pairedBootstrap(ndcg('model alone'), ndcg('learning'), random),
    'learning - server': pairedBootstrap(ndcg('server'), ndcg('learning'), random),
    keptShare: results.filter((r) => r.kept).length / Math.max(1, results.length),
  };
  printTable(`${data.name} / ${protocol} / ${target}`, rows);
  if (recall !== undefined) console.log(`candidate recall@100: ${recall.toFixed(4)} (${sampled} users; metrics above are on the ${cases.length} hits)`);
  console.log(`NDCG@10 differences (paired bootstrap 95% CI): ${JSON.stringify(lift)}`);
  return { target, users: results.length, sampledUsers: sampled, seed, recallAt100: recall, rows, lift, evalSeconds: (performance.now() - started) / 1000, model: describeModel(manifest) };
}

/**
 * A model that never saw this log. A cross model trained on it (among others) is trained again
 * without it, from the other logs its manifest records (cached under .cache/eval); a two-tower
 * model whose towers were trained on it is refused, and its ranker head trained on it is retrained
 * without it.
 */
async function unseenModel(data: Dataset, args: Args): Promise<{ artifacts: { manifest: ModelManifest; weights: ArrayBuffer }; note: string }> {
  const dir = str(args, 'model', 'public/models/default');
  const artifacts = readArtifacts(dir);
  const log = (line: string) => console.log(`  ${line}`);
  let note = `model ${dir} (${artifacts.manifest.version})`;
  if (isCrossManifest(artifacts.manifest)) {
    if (!headSources(artifacts.manifest).some((s) => s.dataset === data.name)) return { artifacts, note };
    const retrained = await crossWithout(artifacts.manifest, data.name, str(args, 'cache', '.cache/eval'), log);
    note += `; it was trained on ${data.name} among others, so the same model was trained without it (${retrained.manifest.card?.datasets.join(', ')})`;
    return { artifacts: retrained as never, note };
  }
  const towers = (artifacts.manifest.card?.datasets ?? []) as string[];
  if (towers.includes(data.name)) throw new Error(`${dir} was trained on ${data.name}: the catalogue protocol needs a model that never saw it`);
  if (headSources(artifacts.manifest).some((s) => s.dataset === data.name)) {
    await retrainHeadWithout(artifacts, data.name, { log });
    note += `; its ranker head was trained on ${data.name} among others, so it was retrained without it`;
  }
  return { artifacts, note };
}

function printComparisons(comparisons: CatalogueReport['comparisons']): void {
  console.log('\nNDCG@10 differences (paired bootstrap 95% CI):');
  for (const c of comparisons) {
    const k = c.cut === Infinity ? 'all' : String(c.cut);
    console.log(`  k=${k.padEnd(3)} ${c.row} - ${c.against}: ${c.mean.toFixed(4)} [${c.low.toFixed(4)}, ${c.high.toFixed(4)}]`);
  }
}

/** What the catalogue and session protocols share: a model that never saw the log, users, the facet baseline. */
async function unseenSetup(data: Dataset, args: Args, prefix: string) {
  const { artifacts, note } = await unseenModel(data, args);
  console.log(note);
  const users = num(args, 'users', 2000);
  const seed = num(args, 'seed', 7);
  const facet = tuneFacet(data, Math.min(users, 1000), seed + 3);
  console.log(`facet baseline: half-life ${facet.halfLifeDays} days (best on validation items)`);
  const options = { users, seed, facet, onProgress: (line: string) => console.log(`  ${line}`) };
  return { artifacts, note, options, factory: nodeEngineFactory(artifacts, prefix), model: describeModel(artifacts.manifest) };
}

/** The catalogue protocol: a shop whose catalogue the model never saw, at every history length. */
async function catalogueProtocol(data: Dataset, args: Args) {
  const { note, options, factory, model } = await unseenSetup(data, args, 'catalogue');
  const report: CatalogueReport = await runCatalogue(data, factory, options);
  factory.dispose();
  printTable(`${data.name} / catalogue (${note})`, report.rows);
  printComparisons(report.comparisons);
  const { seed, users } = options;
  return { seed, users, note, ...report, rows: report.rows.map((r) => ({ ...r, cut: r.cut === Infinity ? 'all' : r.cut })), comparisons: report.comparisons.map((c) => ({ ...c, cut: c.cut === Infinity ? 'all' : c.cut })), model };
}

/** The session protocol: each user's history as the pages a shop shows, reranked and clicked. */
async function sessionProtocol(data: Dataset, args: Args) {
  const { note, options, factory, model } = await unseenSetup(data, args, 'session');
  const report = await runSession(data, factory, options);
  factory.dispose();
  printTable(`${data.name} / session, ${report.pages} pages (${note})`, report.rows);
  console.log(`clicked item's reciprocal rank on the pages as shown: ${report.rows.map((r) => `${r.name} ${r.pageMRR.toFixed(4)}`).join('; ')}`);
  printComparisons(report.comparisons);
  const { seed, users } = options;
  return { seed, users, note, ...report, comparisons: report.comparisons.map((c) => ({ ...c, cut: 'all' })), model };
}

function describeModel(manifest: { version: string; card?: unknown; ranker?: unknown; config: object }) {
  return { version: manifest.version, card: manifest.card, ranker: manifest.ranker, config: { ...manifest.config } };
}

export async function main(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv, EVAL);
  const protocol = choice(args, 'protocol', PROTOCOLS, 'standard');
  const started = performance.now();
  await initTf('wasm');
  const data = await readLog(args);
  console.log(`${data.name}: ${data.sequences.length} users, ${data.itemIds.length} items; protocol ${protocol}`);
  const report =
    protocol === 'catalogue' ? await catalogueProtocol(data, args) : protocol === 'session' ? await sessionProtocol(data, args) : await sequenceProtocol(data, args, protocol);
  if (!report) return;
  const wallSeconds = (performance.now() - started) / 1000;
  const out = str(args, 'json', `eval-out/${data.name}-${protocol}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ dataset: data.name, protocol, attributes: str(args, 'attributes') ?? null, text: str(args, 'text') ?? null, ...report, wallSeconds }, null, 2)}\n`);
  console.log(`wrote ${out} (wall ${wallSeconds.toFixed(0)}s)`);
}
