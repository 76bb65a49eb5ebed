/**
 * `localrank train`: a shop's logs and catalogue in, a model folder out (manifest.json,
 * weights.bin, model-card.md, report.json), with a checkpoint after every epoch. `npm run pretrain`
 * runs the same code with the repository's defaults.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { ModelManifest } from '../../worker/model/scorer';
import { EVENT_TYPES, type EventType } from '../../shared/types';
import { choice, num, parseArgs, str, type Args } from '../data/args';
import { readArtifacts, writeArtifacts, writeFileAtomic } from '../pretrain/artifacts';
import { parseBadRowLimit } from '../data/bad-rows';
import { InputError } from '../data/input-error';
import { CATALOGUE_FORMATS } from '../data/catalogue';
import { parseColumnOverrides } from '../data/columns';
import { fingerprint, hasCheckpoint, loadCheckpoint, removeCheckpoint, saveCheckpoint } from '../pretrain/checkpoint';
import { restrictItems, type Dataset } from '../data/dataset';
import { EVENTS_FORMATS } from '../data/event-readers';
import { loadDataset, summarise, type DataStats } from '../data/load';
import { withTraining, type TrainedManifest } from '../pretrain/manifest';
import { attachHead, lastItems, parseSources, readLogSource, type LogSource } from '../pretrain/model-head';
import { initTf } from '../pretrain/node-tf';
import { pretrain, type PretrainResult } from '../pretrain/pretrain';
import { Progress, type ProgressStream } from './progress';
import { modelCard, printValidation, type TrainReport, VALIDATION_PROTOCOL, validationRows } from './report';
import { canonicalArgs, configFromArgs, flagNames, optionsFromArgs, TRAIN_FLAGS, usageLine } from '../pretrain/settings';
import { holdOutLast } from '../pretrain/split';
import type { TrainState } from '../pretrain/train-state';
import { TIME_UNITS } from '../data/timestamps';

export interface TrainIO {
  /** Results (the validation table, the files written). */
  out: (text: string) => void;
  /** Progress, warnings and epoch lines. */
  err: ProgressStream;
  /** localrank's version, for the report. */
  version: string;
  /** Folder of the tfjs wasm binaries, when not the package's own. */
  wasmDir?: string;
}

export interface TrainOutcome {
  dir: string;
  data: Dataset;
  manifest: TrainedManifest;
  report: TrainReport;
}

function list(value: string | undefined): string[] {
  return value ? value.split(',').map((s) => s.trim()).filter(Boolean) : [];
}

/** An enumerated flag whose default, `auto`, means detected: undefined then. */
function oneOf<T extends string>(args: Args, name: string, allowed: readonly T[]): T | undefined {
  const v = choice<T | 'auto'>(args, name, [...new Set<T | 'auto'>(['auto', ...allowed])]);
  return v === 'auto' ? undefined : v;
}

function eventTypes(value: string | undefined): EventType[] | undefined {
  if (!value) return undefined;
  return list(value).map((t) => {
    if (!EVENT_TYPES.includes(t as EventType)) throw new InputError(`--types: "${t}" is not one of ${EVENT_TYPES.join(', ')}`);
    return t as EventType;
  });
}

function megabytes(n: number): string {
  return `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)}MB`;
}

/** Training events (targets) of one epoch: every event of every training sequence. */
function targetsOf(train: ReadonlyArray<{ items: Int32Array }>): number {
  return train.reduce((s, q) => s + q.items.length, 0);
}

/** Optimiser steps of one epoch (windows of maxHistory + 1 events per sequence, in batches). */
function stepsPerEpoch(train: ReadonlyArray<{ items: Int32Array }>, maxHistory: number, batch: number): number {
  let windows = 0;
  for (const s of train) windows += Math.ceil(s.items.length / (maxHistory + 1));
  return Math.ceil(windows / batch);
}

async function readData(args: Args, io: TrainIO, quiet: boolean): Promise<{ data: Dataset; stats: DataStats; seconds: number }> {
  const events = list(str(args, 'events'));
  if (events.length === 0) throw new InputError('--events is required (a file, a folder, or files separated by commas)');
  const warn = (line: string) => io.err.write(`${io.err.isTTY ? '\n' : ''}warning: ${line}\n`);
  let bar: Progress | null = null;
  const started = performance.now();
  const { data, stats } = await loadDataset({
    events,
    eventsFormat: oneOf(args, 'events-format', EVENTS_FORMATS),
    catalogues: list(str(args, 'catalog')),
    catalogueFormat: oneOf(args, 'catalog-format', CATALOGUE_FORMATS),
    attributePrefix: str(args, 'attribute-prefix'),
    columns: parseColumnOverrides(str(args, 'columns')),
    timeUnit: oneOf(args, 'time-unit', TIME_UNITS) ?? 'auto',
    eventType: oneOf(args, 'event-type', EVENT_TYPES),
    keep: eventTypes(str(args, 'types')),
    collapseRepeats: args['keep-repeats'] ? false : undefined,
    badRows: parseBadRowLimit(str(args, 'max-bad-rows', '1%')),
    name: str(args, 'name'),
    warn,
    onBytes: quiet
      ? undefined
      : (read, total) => {
          bar ??= new Progress(io.err, 'reading', total, megabytes);
          bar.update(read);
        },
  });
  (bar as Progress | null)?.done(`${stats.rows.toLocaleString('en-US')} rows`);
  return { data, stats, seconds: (performance.now() - started) / 1000 };
}

export async function runTrain(argv: readonly string[], io: TrainIO, command = 'localrank train'): Promise<TrainOutcome> {
  const args = canonicalArgs(parseArgs(argv, { usage: usageLine(command), flags: flagNames(TRAIN_FLAGS) }), TRAIN_FLAGS, command);
  const quiet = Boolean(args.quiet);
  const dir = str(args, 'out', 'localrank-model');
  const resume = Boolean(args.resume);
  if (hasCheckpoint(dir) && !resume) {
    throw new InputError(`${dir} holds a checkpoint of an unfinished run: add --resume to continue it, or delete ${join(dir, 'checkpoint')} to start over`);
  }
  // Check every numeric flag before reading what may be gigabytes of logs.
  configFromArgs(args, { features: undefined } as Dataset);
  optionsFromArgs(args, () => undefined);
  const backend = choice(args, 'backend', ['wasm', 'cpu'], 'wasm');
  await initTf(backend, io.wasmDir);

  const cpuSeconds = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  const readCpuStart = cpuSeconds();
  let { data, stats, seconds: readSeconds } = await readData(args, io, quiet);
  const readCpuSeconds = cpuSeconds() - readCpuStart;
  const readPeakRssMB = process.resourceUsage().maxRSS / 1024;
  const maxItems = num(args, 'max-items', 0);
  if (maxItems > 0) data = restrictItems(data, maxItems);
  const users = num(args, 'users', 0);
  if (users > 0) data = { ...data, sequences: data.sequences.slice(0, users) };
  if (maxItems > 0 || users > 0) stats = { ...stats, ...summarise(data) };
  const config = configFromArgs(args, data);
  const log = (line: string) => io.err.write(`${io.err.isTTY && !quiet ? '\r\x1b[K' : ''}${line}\n`);
  const options = optionsFromArgs(args, log);
  const { train, validation } = holdOutLast(data, num(args, 'valid-users', 2000), options.seed + 7);
  options.validation = validation;
  log(
    `${data.name}: ${data.sequences.length} users, ${data.itemIds.length} items, ${stats.events} events` +
      `${stats.firstEvent ? ` from ${stats.firstEvent.slice(0, 10)} to ${stats.lastEvent!.slice(0, 10)}` : ''}; ` +
      `${validation.length} validation users; backend ${tf.getBackend()}; config ${JSON.stringify({ ...config, eventTypes: undefined })}`,
  );

  const settings = { config, options: { ...options, validation: undefined, log: undefined } };
  // The epoch limit may change between a run and its resumption (to train longer).
  const print = fingerprint(data, train, { ...settings, options: { ...settings.options, epochs: undefined }, validation: validation.length });
  if (resume && hasCheckpoint(dir)) {
    const state: TrainState = loadCheckpoint(dir, print);
    let best: PretrainResult | null = null;
    if (state.bestEpoch > 0 && existsSync(join(dir, 'manifest.json'))) {
      const saved = readArtifacts(dir);
      best = { ...saved, validation: state.history.find((h) => h.epoch === state.bestEpoch)?.validation ?? null, epochs: state.bestEpoch };
    }
    options.resume = { state, best };
  } else if (resume) log(`no checkpoint in ${dir}: starting from the beginning`);

  const training = (result: PretrainResult) => ({
    dataset: data.name,
    epochs: result.epochs,
    validation: result.validation,
    options: settings.options,
  });
  const steps = stepsPerEpoch(train, config.maxHistory, options.batchSize);
  const bar = quiet ? null : new Progress(io.err, 'training', steps * options.epochs, (n) => `${Math.round(n)}`);
  const firstEpoch = (options.resume?.state.epoch ?? 0) + 1;
  const trainStarted = performance.now();
  const trainCpuStart = cpuSeconds();
  let epochsHere = 0;
  const result = await pretrain(data, train, config, options, {
    onStep: (epoch, step, total) => bar?.update((epoch - 1) * total + step, `epoch ${epoch}/${options.epochs}`),
    onBest: async (best) => writeArtifacts(dir, withTraining(best.manifest, training(best)), best.weights),
    onEpoch: async (state) => {
      epochsHere++;
      saveCheckpoint(dir, state, print);
    },
  });
  const trainSeconds = (performance.now() - trainStarted) / 1000;
  const trainCpuSeconds = cpuSeconds() - trainCpuStart;
  bar?.done(`${result.history?.length ?? 0} epochs`);
  const manifest = withTraining(result.manifest, training(result));
  await attachShopHead({ manifest, weights: result.weights }, data, args, log);
  // Validation first, so that what it finds can go into the manifest written once below.
  const rows = await validationRows(data, train, validation, { manifest, weights: result.weights });
  writeArtifacts(dir, manifest, result.weights);
  const history = result.history ?? [];
  const report: TrainReport = {
    format: 'localrank-train-report/1',
    createdAt: new Date().toISOString(),
    localrank: io.version,
    model: {
      version: manifest.version,
      manifest: 'manifest.json',
      weightsBytes: manifest.weights.byteLength,
      sha256: manifest.weights.sha256,
      items: manifest.items.ids.length,
      tokens: manifest.vocabulary?.tokens.length ?? 0,
    },
    data: stats,
    settings: { config: { ...config }, options: settings.options },
    training: {
      epochsRun: history.length,
      bestEpoch: result.epochs,
      stoppedEarly: history.length < options.epochs,
      resumed: firstEpoch > 1,
      history,
    },
    validation: { protocol: VALIDATION_PROTOCOL, users: validation.length, rows },
    resources: {
      readSeconds,
      readRowsPerSecond: stats.rows / Math.max(readSeconds, 1e-9),
      readCpuSeconds,
      readPeakRssMB,
      trainSeconds,
      trainEventsPerSecond: (targetsOf(train) * epochsHere) / Math.max(trainSeconds, 1e-9),
      trainCpuSeconds,
      peakRssMB: process.resourceUsage().maxRSS / 1024,
    },
  };
  writeFileAtomic(join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileAtomic(join(dir, 'model-card.md'), modelCard(report));
  removeCheckpoint(dir);
  printValidation(rows, io.out);
  io.out(`\nwrote ${dir}: manifest.json, weights.bin (${manifest.weights.byteLength.toLocaleString('en-US')} bytes), model-card.md, report.json\n`);
  return { dir, data, manifest, report };
}

/**
 * The model's ranker head and card: trained on the log's held-out last items (the model's score
 * among the signals), on the same log as if the model knew nothing of it (for the items a shop adds
 * later), and on `--transfer` logs; the card says whether its ranking for newcomers beats the
 * bestseller order on validation.
 */
async function attachShopHead(artifacts: { manifest: ModelManifest; weights: ArrayBuffer }, data: Dataset, args: Args, log: (line: string) => void): Promise<void> {
  const events = str(args, 'events') ?? '';
  const catalogue = str(args, 'catalog');
  const own = { path: events, ...(catalogue ? { attributes: catalogue } : {}) };
  const transfer: Array<{ data: Dataset; source?: LogSource }> = [{ data, source: own }];
  for (const source of parseSources(str(args, 'transfer'))) transfer.push({ data: await readLogSource(source), source });
  await attachHead(artifacts, { data, pool: lastItems(data), source: own }, transfer, { log });
}

/** catalog.json beside a model: id and features of every item (the demo's film store). */
export function writeCatalog(dir: string, data: Pick<Dataset, 'name' | 'itemIds' | 'features'>): void {
  if (!data.features) return;
  const items = data.itemIds.map((id, i) => ({ id, ...data.features![i] }));
  writeFileSync(join(dir, 'catalog.json'), `${JSON.stringify({ dataset: data.name, items })}\n`);
}
