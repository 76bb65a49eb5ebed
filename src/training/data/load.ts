/**
 * `src/training/data/`: the shop's input, read into a Dataset. Readers of event logs (CSV, JSON
 * Lines, the GA4 export, `user item ...` sequences, MovieLens) and catalogues, with their columns,
 * timestamps, event names and bad rows; and what every training job shares: the flag parser, input
 * errors, seeded randomness and synthetic logs. It imports nothing from the other training
 * folders. This file is its entry.
 *
 * From the files a shop has to a Dataset (Node only): event logs in any supported format, plus
 * catalogues, read as streams into compact sequences, with counts of everything read and skipped.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { limitFeatures } from '../../shared/feature-limits';
import { LIMITS } from '../../shared/limits';
import { EVENT_TYPES, type EventType, type ItemFeatures } from '../../shared/types';
import { type BadRowLimit, BadRows, type BadRowSample } from './bad-rows';
import { InputError } from './input-error';
import { type CatalogueFormat, dropIdLikeAttributes, mergeFeatures, readCatalogue } from './catalogue';
import type { Dataset } from './dataset';
import { detectEventsFormat, type EventsFormat, formatDefaultType, type Ignored, isMovieLens, readEvents } from './event-readers';
import { TRAINABLE_TYPES } from './event-types';
import { fileBytes } from './lines';
import { LogBuilder } from './log-builder';
import type { TimeUnit } from './timestamps';

export interface LoadOptions {
  /** Files or folders of files (a folder holding u.data is MovieLens). */
  events: readonly string[];
  eventsFormat?: EventsFormat;
  catalogues?: readonly string[];
  catalogueFormat?: CatalogueFormat;
  /** Prefix of item2attributes tags; default each file's stem. */
  attributePrefix?: string;
  columns?: Partial<Record<string, string>>;
  timeUnit?: TimeUnit;
  /** Type of events in logs without a type column; default per format. */
  eventType?: EventType;
  /** Event types kept for training; default TRAINABLE_TYPES. */
  keep?: readonly EventType[];
  /** Merge a user's consecutive events on one item (default true for timestamped event logs). */
  collapseRepeats?: boolean;
  badRows?: BadRowLimit;
  /** Dataset name; default the first input's stem. */
  name?: string;
  warn?: (line: string) => void;
  /** Called as bytes of the event files are read; `total` is their size on disk. */
  onBytes?: (read: number, total: number) => void;
}

export interface DataStats {
  sources: Array<{ file: string; format: EventsFormat; rows: number; badRows: number }>;
  catalogues: Array<{ file: string; format: CatalogueFormat; items: number; badRows: number }>;
  /** Data rows read from the event files, and how many could not be read. */
  rows: number;
  badRows: number;
  badRowSamples: BadRowSample[];
  /** Events used for training, by type; `collapsed` were merged into the event before them. */
  events: number;
  eventTypes: Partial<Record<EventType, number>>;
  collapsed: number;
  ignored: Ignored;
  users: number;
  items: number;
  /** Items of the log that have content features (from the catalogue or the log itself). */
  itemsWithFeatures: number;
  catalogueItems: number;
  droppedAttributes: string[];
  /**
   * Items of the log whose category levels, tags or attribute values were more than the engine
   * reads (`LIMITS`), or too long: cut as the engine cuts them, so the model learns what it will see.
   */
  itemsCut: number;
  /** ISO 8601 times of the first and last event (absent for logs without timestamps). */
  firstEvent?: string;
  lastEvent?: string;
}

/** Files of each input: a folder stands for the files in it (sorted), a MovieLens folder for itself. */
export function expandInputs(inputs: readonly string[]): string[] {
  const out: string[] = [];
  for (const input of inputs) {
    if (!existsSync(input)) throw new InputError(`${input}: no such file or folder`);
    if (!statSync(input).isDirectory() || isMovieLens(input)) {
      out.push(input);
      continue;
    }
    const files = readdirSync(input)
      .filter((f) => !f.startsWith('.'))
      .sort()
      .map((f) => join(input, f))
      .filter((f) => statSync(f).isFile());
    if (files.length === 0) throw new InputError(`${input}: the folder holds no files`);
    out.push(...files);
  }
  return out;
}

export function stemOf(path: string): string {
  return basename(path.replace(/\/+$/, '')).replace(/\.gz$/i, '').replace(/\.(txt|csv|tsv|jsonl|ndjson|json)$/i, '') || 'dataset';
}

export async function loadDataset(options: LoadOptions): Promise<{ data: Dataset; stats: DataStats }> {
  const warn = options.warn ?? (() => undefined);
  const files = expandInputs(options.events);
  if (files.length === 0) throw new InputError('no event files given');
  const format = options.eventsFormat ?? (await detectEventsFormat(files[0]));
  const sequenceLike = format === 'sequences' || format === 'movielens';
  const builder = new LogBuilder();
  const bad = new BadRows(options.badRows ?? { share: 0.01 }, warn);
  const features = new Map<string, ItemFeatures>();
  const ignored: Ignored = {};
  const defaultType = options.eventType ?? formatDefaultType(format);
  const keep = new Set(options.keep ?? (sequenceLike ? EVENT_TYPES : TRAINABLE_TYPES));
  const total = files.reduce((s, f) => s + (statSync(f).isDirectory() ? fileBytes(join(f, 'u.data')) : fileBytes(f)), 0);
  let done = 0;
  const sources: DataStats['sources'] = [];
  for (const file of files) {
    const before = { rows: bad.rows, bad: bad.bad };
    await readEvents(file, format, {
      builder,
      bad,
      features,
      ignored,
      columns: options.columns ?? {},
      timeUnit: options.timeUnit ?? 'auto',
      defaultType,
      keep,
      onBytes: options.onBytes ? (read) => options.onBytes!(done + read, total) : undefined,
    });
    done += statSync(file).isDirectory() ? fileBytes(join(file, 'u.data')) : fileBytes(file);
    sources.push({ file: basename(file), format, rows: bad.rows - before.rows, badRows: bad.bad - before.bad });
  }
  const rows = bad.rows;
  const badRows = bad.bad;
  const badRowSamples = [...bad.samples];

  const catalogueBad = new BadRows(options.badRows ?? { share: 0.01 }, warn);
  const catalogues: DataStats['catalogues'] = [];
  const catalogue = new Map<string, ItemFeatures>();
  for (const file of expandInputs(options.catalogues ?? [])) {
    const before = catalogueBad.bad;
    const read = await readCatalogue(file, catalogue, { format: options.catalogueFormat, prefix: options.attributePrefix, bad: catalogueBad });
    catalogues.push({ file: basename(file), format: read.format, items: read.items, badRows: catalogueBad.bad - before });
  }
  // The catalogue describes items more completely than the log's own item fields.
  for (const [id, f] of catalogue) features.set(id, mergeFeatures(features.get(id), f));
  const droppedAttributes = dropIdLikeAttributes(features);
  for (const name of droppedAttributes) warn(`attribute "${name}" has a different value for most items: not used as a feature`);

  const timestamps = format !== 'sequences';
  const minTime = builder.minTime;
  const maxTime = builder.maxTime;
  const built = builder.finish({
    collapseRepeats: options.collapseRepeats ?? !sequenceLike,
    ties: format === 'movielens' ? 'item' : 'arrival',
    perEventTypes: !sequenceLike,
  });
  if (format === 'movielens') built.sequences.sort((a, b) => Number(a.user) - Number(b.user));
  if (built.sequences.length === 0) {
    throw new InputError(`no usable events in ${files.map((f) => basename(f)).join(', ')} (${rows} rows read, ${badRows} bad; ignored: ${JSON.stringify(ignored)})`);
  }
  let itemsCut = 0;
  const itemFeatures = built.itemIds.map((id) => {
    let cut = false;
    const f = limitFeatures(features.get(id) ?? {}, () => (cut = true));
    if (cut) itemsCut++;
    return f;
  });
  if (itemsCut > 0) {
    warn(
      `${itemsCut} items have more than ${LIMITS.maxTags} tags, ${LIMITS.maxAttributes} attribute values or ${LIMITS.maxCategories} category levels, or values over ${LIMITS.maxIdLength} characters: the first are kept and the rest left out, as the engine does`,
    );
  }
  const data: Dataset = {
    name: options.name ?? stemOf(options.events[0]),
    itemIds: built.itemIds,
    features: itemFeatures.some((f) => Object.keys(f).length > 0) ? itemFeatures : undefined,
    eventType: defaultType,
    sequences: built.sequences,
    timestamps,
  };
  const stats: DataStats = {
    sources,
    catalogues,
    rows,
    badRows,
    badRowSamples,
    ...summarise(data),
    collapsed: built.collapsed,
    ignored,
    catalogueItems: catalogue.size,
    droppedAttributes,
    itemsCut,
  };
  if (timestamps && Number.isFinite(minTime)) {
    stats.firstEvent = new Date(minTime).toISOString();
    stats.lastEvent = new Date(maxTime).toISOString();
  }
  return { data, stats };
}

/** Counts of what a dataset holds (after any restriction to fewer items or users). */
export function summarise(data: Dataset): Pick<DataStats, 'events' | 'eventTypes' | 'users' | 'items' | 'itemsWithFeatures'> {
  const eventTypes: Partial<Record<EventType, number>> = {};
  let events = 0;
  for (const s of data.sequences) {
    events += s.items.length;
    if (!s.types) eventTypes[data.eventType] = (eventTypes[data.eventType] ?? 0) + s.items.length;
    else for (const t of s.types) eventTypes[EVENT_TYPES[t]] = (eventTypes[EVENT_TYPES[t]] ?? 0) + 1;
  }
  const itemsWithFeatures = data.features?.filter((f) => Object.keys(f).length > 0).length ?? 0;
  const ordered = Object.fromEntries(EVENT_TYPES.filter((t) => eventTypes[t]).map((t) => [t, eventTypes[t]]));
  return { events, eventTypes: ordered, users: data.sequences.length, items: data.itemIds.length, itemsWithFeatures };
}

/** A log with every setting detected (the evaluation's and the parity check's `--dataset`). */
export async function readDataset(path: string, catalogues: readonly string[] = []): Promise<Dataset> {
  return (await loadDataset({ events: [path], catalogues })).data;
}
