/**
 * Interaction logs, streamed line by line into a LogBuilder (Node only): CSV and JSON Lines events,
 * the GA4 BigQuery export, the `user item item ...` sequence format and a MovieLens 100K folder.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { EventType, ItemFeatures } from '../../shared/types';
import type { BadRows } from './bad-rows';
import { fillFeatures } from './catalogue';
import { EVENT_COLUMNS, normaliseName, resolveColumns, type EventRole } from './columns';
import { CsvRecords, sniffDelimiter, type CsvRecord } from './csv';
import { SYNTHETIC_GAP_MS, SYNTHETIC_START_MS } from './dataset';
import { eventTypeOf, typeIndex } from './event-types';
import { ga4ItemFeatures, ga4String, isGa4Row, type Ga4Item, type Ga4Row } from './ga4';
import { firstLines, forEachLine } from './lines';
import type { LogBuilder } from './log-builder';
import { parseTime, type TimeUnit } from './timestamps';

export type EventsFormat = 'csv' | 'jsonl' | 'ga4' | 'sequences' | 'movielens';
export const EVENTS_FORMATS: readonly EventsFormat[] = ['csv', 'jsonl', 'ga4', 'sequences', 'movielens'];

/** Why events were read but not used, with counts (`impression: 120`, `unknown "wishlist": 3`). */
export type Ignored = Record<string, number>;

export interface ReadContext {
  builder: LogBuilder;
  bad: BadRows;
  /** Item features the log itself carries (GA4 items, MovieLens u.item). */
  features: Map<string, ItemFeatures>;
  ignored: Ignored;
  /** Column names given with --columns (`user`, `item`, `time`, `type`). */
  columns: Partial<Record<string, string>>;
  timeUnit: TimeUnit;
  /** Type of events in logs without a type column. */
  defaultType: EventType;
  /** Types kept for training. */
  keep: ReadonlySet<EventType>;
  onBytes?: (bytes: number) => void;
}

const MAX_IGNORED_KEYS = 40;

function ignore(ctx: ReadContext, reason: string): void {
  const key = reason in ctx.ignored || Object.keys(ctx.ignored).length < MAX_IGNORED_KEYS ? reason : 'other event names';
  ctx.ignored[key] = (ctx.ignored[key] ?? 0) + 1;
}

/** The type of an event name, or null after counting why it is not used. */
function typeOf(ctx: ReadContext, name: string | undefined): EventType | null {
  const type = name === undefined || name === '' ? ctx.defaultType : eventTypeOf(name);
  if (type === undefined) {
    const n = name ?? '';
    ignore(ctx, `unknown "${n.length > 40 ? `${n.slice(0, 40)}...` : n}"`);
    return null;
  }
  if (type === null || !ctx.keep.has(type)) {
    ignore(ctx, type ?? (name ?? '').trim().toLowerCase());
    return null;
  }
  return type;
}

/** Adds one event, or counts the row as bad with the reason. */
function addEvent(ctx: ReadContext, file: string, line: number, user: unknown, item: unknown, time: unknown, typeName: string | undefined): void {
  const u = idOf(user);
  if (u === undefined) return ctx.bad.add(file, line, 'no user id');
  const i = idOf(item);
  if (i === undefined) return ctx.bad.add(file, line, 'no item id');
  const t = parseTime(time, ctx.timeUnit);
  if (t === null) return ctx.bad.add(file, line, `timestamp ${JSON.stringify(time ?? null)} is not a time${ctx.timeUnit === 'auto' ? '' : ` in --time-unit ${ctx.timeUnit}`}`);
  const type = typeOf(ctx, typeName);
  if (type !== null) ctx.builder.add(u, i, t, typeIndex(type));
}

function idOf(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  return text ? text : undefined;
}

async function readCsv(path: string, ctx: ReadContext): Promise<void> {
  const first = (await firstLines(path, 1))[0] ?? '';
  const records = new CsvRecords(sniffDelimiter(first));
  let header: string[] | null = null;
  let col: Partial<Record<EventRole, number>> = {};
  const onRecord = (record: CsvRecord) => {
    if (!header) {
      header = record.fields.map((f) => f.trim());
      col = resolveColumns(header, EVENT_COLUMNS, ctx.columns, ['user', 'item', 'time'], basename(path));
      return;
    }
    ctx.bad.rows++;
    const f = record.fields;
    if (record.open) ctx.bad.add(path, record.number, 'a quoted field is never closed');
    else if (f.length < header.length) ctx.bad.add(path, record.number, `${f.length} fields, the header has ${header.length}`);
    else addEvent(ctx, path, record.number, f[col.user!], f[col.item!], f[col.time!].trim(), col.type === undefined ? undefined : f[col.type]);
  };
  await forEachLine(path, (line) => {
    const record = records.push(line);
    if (record) onRecord(record);
  }, { onBytes: ctx.onBytes, afterBatch: () => ctx.bad.checkEarly() });
  const last = records.end();
  if (last) onRecord(last);
}

function parseObject(ctx: ReadContext, path: string, text: string, number: number): Record<string, unknown> | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    ctx.bad.add(path, number, 'not valid JSON');
    return null;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    ctx.bad.add(path, number, 'not a JSON object');
    return null;
  }
  return value as Record<string, unknown>;
}

async function readJsonLines(path: string, ctx: ReadContext): Promise<void> {
  let keys: Partial<Record<EventRole, string>> | null = null;
  await forEachLine(path, (line) => {
    if (!line.text.trim()) return;
    ctx.bad.rows++;
    const row = parseObject(ctx, path, line.text, line.number);
    if (!row) return;
    if (!keys) {
      const names = Object.keys(row);
      const col = resolveColumns(names, EVENT_COLUMNS, ctx.columns, ['user', 'item', 'time'], `${basename(path)}:${line.number}`);
      keys = Object.fromEntries(Object.entries(col).map(([role, i]) => [role, names[i as number]]));
    }
    const type = keys.type === undefined ? undefined : row[keys.type];
    addEvent(ctx, path, line.number, row[keys.user!], row[keys.item!], row[keys.time!], type === undefined || type === null ? undefined : String(type));
  }, { onBytes: ctx.onBytes, afterBatch: () => ctx.bad.checkEarly() });
}

async function readGa4(path: string, ctx: ReadContext): Promise<void> {
  const userKey = ctx.columns.user ?? 'user_pseudo_id';
  await forEachLine(path, (line) => {
    if (!line.text.trim()) return;
    ctx.bad.rows++;
    const row = parseObject(ctx, path, line.text, line.number) as (Ga4Row & Record<string, unknown>) | null;
    if (!row) return;
    const items = Array.isArray(row.items) ? (row.items as Ga4Item[]) : [];
    const name = ga4String(row.event_name);
    if (items.length === 0) return ignore(ctx, name ? `${name} (no items)` : 'no event_name');
    for (const item of items) {
      const id = ga4String(item?.item_id);
      if (id === undefined) {
        ignore(ctx, 'item without item_id');
        continue;
      }
      const features = ga4ItemFeatures(item);
      const known = ctx.features.get(id);
      // Items repeat in every event: merge only when this one tells something new.
      if (features && (!known || Object.keys(features).some((k) => !(k in known)))) ctx.features.set(id, fillFeatures(known, features));
      addEvent(ctx, path, line.number, ga4String(row[userKey]), id, row.event_timestamp, name);
    }
  }, { onBytes: ctx.onBytes, afterBatch: () => ctx.bad.checkEarly() });
}

/** `user item item ...`: one user per line, items in time order, no times (evenly spaced). */
async function readSequences(path: string, ctx: ReadContext): Promise<void> {
  const type = typeIndex(ctx.defaultType);
  await forEachLine(path, (line) => {
    const parts = line.text.trim().split(/\s+/);
    if (parts.length < 2 || !parts[0]) return;
    ctx.bad.rows++;
    for (let i = 1; i < parts.length; i++) ctx.builder.add(parts[0], parts[i], SYNTHETIC_START_MS + (i - 1) * SYNTHETIC_GAP_MS, type);
  }, { onBytes: ctx.onBytes });
}

/** MovieLens 100K: u.item (latin-1 titles, year and genres as features) and u.data (ratings). */
async function readMovieLens(dir: string, ctx: ReadContext): Promise<void> {
  const genres: string[][] = [];
  await forEachLine(join(dir, 'u.genre'), (line) => {
    const p = line.text.split('|');
    if (p.length === 2 && p[0]) genres.push(p);
  }, { encoding: 'latin1' });
  const names = genres.sort((a, b) => Number(a[1]) - Number(b[1])).map((p) => p[0]);
  await forEachLine(join(dir, 'u.item'), (line) => {
    const p = line.text.split('|');
    if (p.length < 5 + names.length) return;
    const flags = p.slice(5, 5 + names.length);
    ctx.builder.itemRow(p[0]);
    ctx.features.set(p[0], { category: names.filter((g, i) => flags[i] === '1' && g !== 'unknown'), text: p[1] });
  }, { encoding: 'latin1' });
  const click = typeIndex('click');
  await forEachLine(join(dir, 'u.data'), (line) => {
    const p = line.text.trim().split(/\s+/);
    if (p.length < 4) return;
    ctx.bad.rows++;
    if (ctx.builder.hasItem(p[1])) ctx.builder.add(p[0], p[1], Number(p[3]) * 1000, click);
  }, { encoding: 'latin1', onBytes: ctx.onBytes });
}

export function isMovieLens(path: string): boolean {
  return statSync(path).isDirectory() && existsSync(join(path, 'u.data'));
}

/** Format of a log from its name and first line. */
export async function detectEventsFormat(path: string): Promise<EventsFormat> {
  if (isMovieLens(path)) return 'movielens';
  const name = path.toLowerCase().replace(/\.gz$/, '');
  if (/\.(csv|tsv)$/.test(name)) return 'csv';
  const first = (await firstLines(path, 1))[0]?.trim() ?? '';
  if (first.startsWith('{')) {
    try {
      return isGa4Row(JSON.parse(first)) ? 'ga4' : 'jsonl';
    } catch {
      return 'jsonl';
    }
  }
  if (/\.(jsonl|ndjson|json)$/.test(name)) return 'jsonl';
  const fields = first.split(sniffDelimiter(first)).map(normaliseName);
  const known = [...EVENT_COLUMNS.user, ...EVENT_COLUMNS.item].map(normaliseName);
  return fields.length > 1 && fields.some((f) => known.includes(f)) ? 'csv' : 'sequences';
}

const READERS: Record<EventsFormat, (path: string, ctx: ReadContext) => Promise<void>> = {
  csv: readCsv,
  jsonl: readJsonLines,
  ga4: readGa4,
  sequences: readSequences,
  movielens: readMovieLens,
};

export async function readEvents(path: string, format: EventsFormat, ctx: ReadContext): Promise<void> {
  await READERS[format](path, ctx);
  ctx.bad.check();
}

/** The default event type of a format's logs when no type is given. */
export function formatDefaultType(format: EventsFormat): EventType {
  if (format === 'sequences') return 'purchase';
  return 'click';
}
