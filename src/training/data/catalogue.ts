/**
 * Item catalogues (Node only): CSV or JSON Lines with an item id and features, or an S3-Rec
 * `item2attributes` JSON (`{ "<item id>": [attribute id, ...] }`). Known columns become
 * `ItemFeatures` fields; any other column becomes a named attribute.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ItemFeatures } from '../../shared/types';
import type { BadRows } from './bad-rows';
import { InputError } from './input-error';
import { normaliseName, resolveColumns } from './columns';
import { CsvRecords, sniffDelimiter, type CsvRecord } from './csv';
import { firstLines, forEachLine } from './lines';

export type CatalogueFormat = 'csv' | 'jsonl' | 'item2attributes';
export const CATALOGUE_FORMATS: readonly CatalogueFormat[] = ['csv', 'jsonl', 'item2attributes'];

type Features = { -readonly [K in keyof ItemFeatures]: ItemFeatures[K] };
type Field = 'id' | 'category' | 'brand' | 'price' | 'text' | 'tags';

const FIELDS: Record<Field, readonly string[]> = {
  id: ['item_id', 'id', 'item', 'product_id', 'sku', 'iid'],
  category: ['category', 'category_path', 'categories', 'item_category', 'product_type'],
  brand: ['brand', 'item_brand', 'manufacturer', 'vendor'],
  price: ['price', 'item_price', 'price_in_usd'],
  text: ['title', 'name', 'item_name', 'product_name', 'text'],
  tags: ['tags', 'labels', 'keywords', 'genres'],
};

const ROLE = new Map<string, Field>();
for (const [field, aliases] of Object.entries(FIELDS) as Array<[Field, readonly string[]]>) {
  for (const a of aliases) if (!ROLE.has(normaliseName(a))) ROLE.set(normaliseName(a), field);
}

/** GA4's extra category levels, appended to the category path in order. */
const CATEGORY_LEVELS = ['item_category2', 'item_category3', 'item_category4', 'item_category5'].map(normaliseName);

/** Columns that are never facets: links, images and long prose would only add noise tokens. */
const NOT_FACETS = /url|link|image|description|^desc$|^body$/;

const NOT_SET = '(not set)';

function clean(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  const text = String(value).trim();
  return text && text !== NOT_SET ? text : undefined;
}

/** A price cell as shops write it: `12.5`, `12,50`, `€ 12.50`. Anything else is dropped. */
export function parsePrice(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  const text = clean(value)?.replace(/[^\d.,-]/g, '');
  if (!text) return undefined;
  const n = Number(/^\d+,\d{1,2}$/.test(text) ? text.replace(',', '.') : text.replace(/,/g, ''));
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

function categoryPath(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(clean).filter((v): v is string => v !== undefined);
  const text = clean(value);
  return text ? text.split('>').map((s) => s.trim()).filter(Boolean) : [];
}

function tagList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(clean).filter((v): v is string => v !== undefined);
  const text = clean(value);
  return text ? text.split(/[|;,]/).map((s) => s.trim()).filter(Boolean) : [];
}

/** Features of `extra` over `base`: `extra` wins field by field, tags are joined, attributes merged. */
export function mergeFeatures(base: ItemFeatures | undefined, extra: ItemFeatures): ItemFeatures {
  if (!base) return extra;
  const out: Features = { ...base, ...extra };
  if (base.tags && extra.tags) out.tags = [...new Set([...base.tags, ...extra.tags])];
  if (base.attributes && extra.attributes) out.attributes = { ...base.attributes, ...extra.attributes };
  return out;
}

/** Features of `extra` only where `base` has none (the first source to describe a field wins). */
export function fillFeatures(base: ItemFeatures | undefined, extra: ItemFeatures): ItemFeatures {
  return base ? mergeFeatures(extra, base) : extra;
}

/** Features from one record's named values (a CSV row or a JSON object). */
function recordFeatures(entries: Iterable<[string, unknown]>): { id?: string; features: ItemFeatures } {
  const f: Features = {};
  const levels: string[] = [];
  const attributes: Record<string, string | number | boolean | string[]> = {};
  let id: string | undefined;
  const seen = new Set<Field>();
  for (const [name, value] of entries) {
    const key = normaliseName(name);
    const field = ROLE.get(key);
    if (field && !seen.has(field)) {
      seen.add(field);
      if (field === 'id') id = clean(typeof value === 'object' ? undefined : value);
      else if (field === 'category') levels.unshift(...categoryPath(value));
      else if (field === 'brand') f.brand = clean(value);
      else if (field === 'price') f.price = parsePrice(value);
      else if (field === 'text') f.text = clean(value);
      else f.tags = tagList(value);
      continue;
    }
    if (CATEGORY_LEVELS.includes(key)) {
      const level = clean(value);
      if (level) levels.push(level);
      continue;
    }
    if (key === 'attributes' && value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) addAttribute(attributes, k, v);
      continue;
    }
    if (!field && !NOT_FACETS.test(key)) addAttribute(attributes, name.trim(), value);
  }
  if (levels.length > 0) f.category = levels;
  if (Object.keys(attributes).length > 0) f.attributes = attributes;
  for (const k of Object.keys(f) as Array<keyof Features>) if (f[k] === undefined || (Array.isArray(f[k]) && !f[k].length)) delete f[k];
  return { id, features: f };
}

function addAttribute(out: Record<string, string | number | boolean | string[]>, name: string, value: unknown): void {
  if (!name) return;
  if (typeof value === 'number' || typeof value === 'boolean') {
    if (typeof value === 'boolean' || Number.isFinite(value)) out[name] = value;
  } else if (Array.isArray(value)) {
    const list = value.filter((v) => typeof v === 'string' || typeof v === 'number').map((v) => String(v).trim()).filter(Boolean);
    if (list.length > 0) out[name] = list;
  } else if (typeof value === 'string') {
    const text = clean(value);
    if (text !== undefined) out[name] = text;
  }
}

export interface CatalogueOptions {
  format?: CatalogueFormat;
  /** Prefix of item2attributes tags (`<prefix>:<attribute id>`); default the file's stem. */
  prefix?: string;
  bad: BadRows;
  onBytes?: (bytes: number) => void;
}

export async function detectCatalogueFormat(path: string): Promise<CatalogueFormat> {
  const name = path.toLowerCase().replace(/\.gz$/, '');
  if (/\.(csv|tsv)$/.test(name)) return 'csv';
  if (/\.(jsonl|ndjson)$/.test(name)) return 'jsonl';
  const lines = await firstLines(path, 3);
  const first = lines[0]?.trim() ?? '';
  if (!first.startsWith('{')) return 'csv';
  try {
    const value = JSON.parse(first) as Record<string, unknown>;
    const keys = Object.keys(value).map(normaliseName);
    if (FIELDS.id.some((a) => keys.includes(normaliseName(a)))) return 'jsonl';
    return Object.values(value).every(Array.isArray) ? 'item2attributes' : 'jsonl';
  } catch {
    // A pretty-printed object: item2attributes when its first entry maps a key to an array.
    return /^"[^"]*"\s*:\s*\[/.test(lines[1]?.trim() ?? '') || /^\{\s*"[^"]*"\s*:\s*\[/.test(first) ? 'item2attributes' : 'jsonl';
  }
}

/** Reads a catalogue into `into` (item id → features), merging over what is there. */
export async function readCatalogue(path: string, into: Map<string, ItemFeatures>, options: CatalogueOptions): Promise<{ format: CatalogueFormat; items: number }> {
  const format = options.format ?? (await detectCatalogueFormat(path));
  const { bad } = options;
  let items = 0;
  const put = (id: string, features: ItemFeatures) => {
    into.set(id, mergeFeatures(into.get(id), features));
    items++;
  };
  if (format === 'item2attributes') {
    // A catalogue-sized object (one entry per item), not a log: parsing it whole is bounded.
    const prefix = options.prefix ?? basename(path).replace(/\.gz$/i, '').replace(/\.[^.]+$/, '');
    let value: unknown;
    try {
      value = JSON.parse(await readFile(path, 'utf8'));
    } catch (error) {
      throw new InputError(`${basename(path)}: not a JSON object of item id -> attribute ids (${(error as Error).message})`);
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new InputError(`${basename(path)}: expected { "<item id>": [attribute ids] }`);
    let entry = 0;
    for (const [id, attrs] of Object.entries(value as Record<string, unknown>)) {
      entry++;
      bad.rows++;
      if (!Array.isArray(attrs)) {
        bad.add(path, entry, `entry "${id}" is not a list of attribute ids`);
        continue;
      }
      put(id, { tags: attrs.map((a) => `${prefix}:${String(a)}`) });
    }
    bad.check();
    return { format, items };
  }
  const onRecord = (number: number, id: string | undefined, features: ItemFeatures) => {
    if (id === undefined) bad.add(path, number, 'no item id');
    else put(id, features);
  };
  const lineOptions = { onBytes: options.onBytes, afterBatch: () => bad.checkEarly() };
  if (format === 'csv') {
    const first = (await firstLines(path, 1))[0] ?? '';
    const records = new CsvRecords(sniffDelimiter(first));
    let header: string[] | null = null;
    const onCsv = (record: CsvRecord) => {
      if (!header) {
        header = record.fields.map((f) => f.trim());
        resolveColumns(header, { id: FIELDS.id }, {}, ['id'], basename(path));
        return;
      }
      bad.rows++;
      if (record.open) bad.add(path, record.number, 'a quoted field is never closed');
      else if (record.fields.length !== header.length) bad.add(path, record.number, `${record.fields.length} fields, the header has ${header.length}`);
      else {
        const { id, features } = recordFeatures(header.map((h, i) => [h, record.fields[i]]));
        onRecord(record.number, id, features);
      }
    };
    await forEachLine(path, (line) => {
      const record = records.push(line);
      if (record) onCsv(record);
    }, lineOptions);
    const last = records.end();
    if (last) onCsv(last);
  } else {
    await forEachLine(path, (line) => {
      if (!line.text.trim()) return;
      bad.rows++;
      let value: unknown;
      try {
        value = JSON.parse(line.text);
      } catch {
        return bad.add(path, line.number, 'not valid JSON');
      }
      if (!value || typeof value !== 'object' || Array.isArray(value)) return bad.add(path, line.number, 'not a JSON object');
      const { id, features } = recordFeatures(Object.entries(value));
      onRecord(line.number, id, features);
    }, lineOptions);
  }
  bad.check();
  return { format, items };
}

/**
 * Drops attributes that name almost every item differently (ids, EANs, free text): as facets they
 * would only fill the token slots. Returns the names dropped.
 */
export function dropIdLikeAttributes(catalogue: Map<string, ItemFeatures>, minItems = 50): string[] {
  const values = new Map<string, Set<string>>();
  const counts = new Map<string, number>();
  for (const f of catalogue.values()) {
    for (const [k, v] of Object.entries(f.attributes ?? {})) {
      counts.set(k, (counts.get(k) ?? 0) + 1);
      let set = values.get(k);
      if (!set) values.set(k, (set = new Set()));
      set.add(String(v));
    }
  }
  const dropped = [...values].filter(([k, set]) => (counts.get(k) ?? 0) >= minItems && set.size > 0.5 * (counts.get(k) ?? 0)).map(([k]) => k);
  if (dropped.length === 0) return dropped;
  for (const [id, f] of catalogue) {
    if (!f.attributes) continue;
    const attributes = Object.fromEntries(Object.entries(f.attributes).filter(([k]) => !dropped.includes(k)));
    const next: Features = { ...f, attributes };
    if (Object.keys(attributes).length === 0) delete next.attributes;
    catalogue.set(id, next);
  }
  return dropped;
}
