/**
 * The flags of `localrank train` (and `npm run pretrain`, which shares them), documented once:
 * the usage text and the check for unknown flags come from this table.
 */
import { EVENT_TYPES } from '../../shared/types';
import { num, unknownFlag, type Args } from '../data/args';
import { InputError } from '../data/input-error';
import { CATALOGUE_FORMATS } from '../data/catalogue';
import type { Dataset } from '../data/dataset';
import { EVENTS_FORMATS } from '../data/event-readers';
import { TRAINABLE_TYPES } from '../data/event-types';
import { DEFAULT_CONFIG, DEFAULT_OPTIONS, type PretrainOptions } from './pretrain';
import { TIME_UNITS } from '../data/timestamps';
import type { ScorerConfig } from '../../worker/model/tower';

export interface Flag {
  name: string;
  /** Other spellings accepted for the same flag. */
  aliases?: string[];
  /** Placeholder of the value; absent for a switch. */
  value?: string;
  help: string;
  group: 'Input' | 'Output' | 'Model' | 'Training';
}

export const TRAIN_FLAGS: readonly Flag[] = [
  { group: 'Input', name: 'events', aliases: ['dataset'], value: 'files', help: 'event logs: files or folders, comma-separated (CSV, JSON Lines, GA4 export, `user item item ...`, MovieLens folder; .gz read as is)' },
  { group: 'Input', name: 'events-format', value: 'format', help: `${EVENTS_FORMATS.join('|')} (default: detected)` },
  { group: 'Input', name: 'catalog', aliases: ['catalogue', 'attributes'], value: 'files', help: 'item catalogues, comma-separated: CSV or JSON Lines with item_id and features, or item2attributes JSON' },
  { group: 'Input', name: 'catalog-format', value: 'format', help: `${CATALOGUE_FORMATS.join('|')} (default: detected)` },
  { group: 'Input', name: 'attribute-prefix', value: 'name', help: 'prefix of item2attributes tags (default: the file name without extension)' },
  { group: 'Input', name: 'columns', value: 'map', help: 'column names when not detected, e.g. user=visitor,item=sku,time=ts,type=action' },
  { group: 'Input', name: 'time-unit', value: 'unit', help: `${TIME_UNITS.join('|')}: epoch numbers are told apart by size unless set (default: auto)` },
  { group: 'Input', name: 'event-type', value: 'type', help: `type of events in logs without a type column: ${EVENT_TYPES.join('|')} (default: click; purchase for \`user item ...\` files)` },
  { group: 'Input', name: 'types', value: 'list', help: `event types to train on (default: ${TRAINABLE_TYPES.join(',')})` },
  { group: 'Input', name: 'keep-repeats', help: 'keep consecutive events on the same item (default: merged into one, the strongest type)' },
  { group: 'Input', name: 'max-bad-rows', value: 'limit', help: 'unreadable rows allowed before stopping: a share (1%, 0.01) or a count (default: 1%)' },
  { group: 'Input', name: 'max-items', value: 'n', help: 'keep only the n most frequent items (default: all)' },
  { group: 'Input', name: 'users', value: 'n', help: 'train on the first n users only (default: all)' },
  { group: 'Input', name: 'name', value: 'name', help: 'dataset name in the model version (default: the first input file name)' },
  { group: 'Output', name: 'out', value: 'dir', help: 'model folder to write (default: localrank-model)' },
  { group: 'Output', name: 'resume', help: 'continue the run whose checkpoint is in --out (same inputs and flags)' },
  { group: 'Output', name: 'quiet', help: 'no progress bar' },
  { group: 'Model', name: 'dim', value: 'n', help: `width of item and user vectors (default: ${DEFAULT_CONFIG.dim})` },
  { group: 'Model', name: 'max-history', value: 'n', help: `recent events the user tower reads (default: ${DEFAULT_CONFIG.maxHistory})` },
  { group: 'Model', name: 'blocks', value: 'n', help: `self-attention blocks (default: ${DEFAULT_CONFIG.blocks})` },
  { group: 'Model', name: 'heads', value: 'n', help: `attention heads (default: ${DEFAULT_CONFIG.heads})` },
  { group: 'Model', name: 'ffn', value: 'n', help: 'feed-forward width (default: --dim)' },
  { group: 'Model', name: 'hash-buckets', value: 'n', help: 'content-token hash rows (default: 4096 with item features, else 0)' },
  { group: 'Model', name: 'max-tokens', value: 'n', help: `content tokens per item (default: ${DEFAULT_CONFIG.maxTokens})` },
  { group: 'Training', name: 'epochs', value: 'n', help: `most epochs (default: ${DEFAULT_OPTIONS.epochs}; early stopping may end sooner)` },
  { group: 'Training', name: 'batch', value: 'n', help: `sequences per step (default: ${DEFAULT_OPTIONS.batchSize})` },
  { group: 'Training', name: 'lr', value: 'x', help: `Adam learning rate (default: ${DEFAULT_OPTIONS.learningRate})` },
  { group: 'Training', name: 'negatives', value: 'n', help: `sampled negatives per step (default: ${DEFAULT_OPTIONS.negatives})` },
  { group: 'Training', name: 'dropout', value: 'x', help: `dropout in the user tower while training (default: ${DEFAULT_OPTIONS.dropout})` },
  { group: 'Training', name: 'id-dropout', value: 'x', help: `share of item ids hidden per step, trains the content path (default: ${DEFAULT_OPTIONS.idDropout})` },
  { group: 'Training', name: 'seed', value: 'n', help: `random seed; same seed, inputs and flags give the same weights (default: ${DEFAULT_OPTIONS.seed})` },
  { group: 'Training', name: 'patience', value: 'n', help: `evaluations without improvement before stopping (default: ${DEFAULT_OPTIONS.patience})` },
  { group: 'Training', name: 'eval-every', value: 'n', help: `epochs between validations (default: ${DEFAULT_OPTIONS.evalEvery})` },
  { group: 'Training', name: 'valid-users', value: 'n', help: 'users sampled for validation among those with a held-out last item (default: 2000)' },
  { group: 'Training', name: 'backend', value: 'name', help: 'wasm|cpu (default: wasm)' },
  { group: 'Training', name: 'transfer', value: 'logs', help: 'other logs to train the ranker head on as catalogues the model never saw, comma-separated, each <log>[:<catalogue>] (default: none; the head learns from this log alone)' },
];

/**
 * The model and training flags that `configFromArgs` and `optionsFromArgs` read: every command
 * that pretrains (`npm run eval` too) knows them.
 */
export const MODEL_FLAG_NAMES: readonly string[] = TRAIN_FLAGS.filter((f) => f.group === 'Model' || (f.group === 'Training' && f.name !== 'backend' && f.name !== 'transfer')).map((f) => f.name);

/** Every spelling of `flags`, names and aliases: what the parser accepts. */
export function flagNames(flags: readonly Flag[]): string[] {
  return flags.flatMap((f) => [f.name, ...(f.aliases ?? [])]);
}

/** The first line of {@link usage}: how `command` is called. */
export function usageLine(command: string): string {
  return `Usage: ${command} --events <files> [--catalog <files>] [--out <dir>] [flags] (all flags: ${command} --help)`;
}

/** Args with every alias replaced by its flag's name; throws on flags not in `flags`. */
export function canonicalArgs(args: Args, flags: readonly Flag[], command: string): Args {
  const byName = new Map<string, Flag>();
  for (const f of flags) for (const n of [f.name, ...(f.aliases ?? [])]) byName.set(n, f);
  const out: Args = {};
  for (const [key, value] of Object.entries(args)) {
    const flag = byName.get(key);
    if (!flag) throw unknownFlag(key, [...byName.keys()], usageLine(command));
    if (flag.name in out) throw new InputError(`--${flag.name} is given twice; separate several files with commas`);
    if (flag.value && value === true) throw new InputError(`--${key} needs a value (${flag.value})`);
    if (!flag.value && value !== true) throw new InputError(`--${key} takes no value`);
    out[flag.name] = value;
  }
  return out;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

export function usage(command: string, flags: readonly Flag[], intro: string): string {
  const lines = [`Usage: ${command} --events <files> [--catalog <files>] [--out <dir>] [flags]`, '', intro, ''];
  const groups = [...new Set(flags.map((f) => f.group))];
  const width = Math.max(...flags.map((f) => `--${f.name}${f.value ? ` <${f.value}>` : ''}`.length));
  for (const g of groups) {
    lines.push(`${g}:`);
    for (const f of flags.filter((x) => x.group === g)) {
      const left = `--${f.name}${f.value ? ` <${f.value}>` : ''}`;
      const aliases = f.aliases?.length ? ` (also --${f.aliases.join(', --')})` : '';
      const [first, ...rest] = wrap(`${f.help}${aliases}`, 96 - width);
      lines.push(`  ${left.padEnd(width)}  ${first}`, ...rest.map((r) => `  ${' '.repeat(width)}  ${r}`));
    }
    lines.push('');
  }
  return lines.join('\n');
}

function positiveInt(args: Args, name: string, fallback: number, min = 1): number {
  const n = num(args, name, fallback);
  if (!Number.isInteger(n) || n < min) throw new InputError(`--${name} needs a whole number >= ${min} (got ${args[name]})`);
  return n;
}

function share(args: Args, name: string, fallback: number): number {
  const n = num(args, name, fallback);
  if (n < 0 || n >= 1) throw new InputError(`--${name} needs a number from 0 to below 1 (got ${args[name]})`);
  return n;
}

export function configFromArgs(args: Args, data: Dataset): ScorerConfig {
  const dim = positiveInt(args, 'dim', DEFAULT_CONFIG.dim);
  const heads = positiveInt(args, 'heads', DEFAULT_CONFIG.heads);
  if (dim % heads !== 0) throw new InputError(`--heads (${heads}) must divide --dim (${dim})`);
  return {
    ...DEFAULT_CONFIG,
    dim,
    maxHistory: positiveInt(args, 'max-history', DEFAULT_CONFIG.maxHistory),
    blocks: positiveInt(args, 'blocks', DEFAULT_CONFIG.blocks),
    heads,
    ffnDim: positiveInt(args, 'ffn', dim),
    hashBuckets: positiveInt(args, 'hash-buckets', data.features ? 4096 : 0, 0),
    maxTokens: positiveInt(args, 'max-tokens', DEFAULT_CONFIG.maxTokens, 0),
    eventTypes: [...EVENT_TYPES],
  };
}

export function optionsFromArgs(args: Args, log: (line: string) => void): PretrainOptions {
  const learningRate = num(args, 'lr', DEFAULT_OPTIONS.learningRate);
  if (!(learningRate > 0)) throw new InputError(`--lr needs a number > 0 (got ${args.lr})`);
  return {
    ...DEFAULT_OPTIONS,
    epochs: positiveInt(args, 'epochs', DEFAULT_OPTIONS.epochs),
    batchSize: positiveInt(args, 'batch', DEFAULT_OPTIONS.batchSize),
    learningRate,
    negatives: positiveInt(args, 'negatives', DEFAULT_OPTIONS.negatives),
    dropout: share(args, 'dropout', DEFAULT_OPTIONS.dropout),
    idDropout: share(args, 'id-dropout', DEFAULT_OPTIONS.idDropout),
    seed: positiveInt(args, 'seed', DEFAULT_OPTIONS.seed, 0),
    patience: positiveInt(args, 'patience', DEFAULT_OPTIONS.patience),
    evalEvery: positiveInt(args, 'eval-every', DEFAULT_OPTIONS.evalEvery),
    log,
  };
}
