/**
 * S3-Rec's `item2attributes` JSON (`{ "<item id>": [attribute id, ...] }`) as item features. The
 * attribute ids are numbers local to one dataset, so they become tags prefixed with its name:
 * `beauty:17` and `sports:17` are different facets.
 */
import { readFileSync } from 'node:fs';
import type { ItemFeatures } from '../shared/types';
import type { Dataset } from './dataset';

export function readItemAttributes(path: string): Map<string, number[]> {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${path}: expected { "<item id>": [attribute ids] }`);
  const out = new Map<string, number[]>();
  for (const [id, list] of Object.entries(parsed as Record<string, unknown>)) {
    if (!Array.isArray(list)) throw new Error(`${path}: attributes of item ${id} are not a list`);
    out.set(id, list.map(Number).filter(Number.isFinite));
  }
  return out;
}

/** The dataset with each item's attributes added as `tags` (`<prefix>:<attribute id>`). */
export function withAttributes(data: Dataset, attributes: ReadonlyMap<string, readonly number[]>, prefix = data.name): Dataset {
  const features: ItemFeatures[] = data.itemIds.map((id, i) => {
    const own = data.features?.[i] ?? {};
    const tags = (attributes.get(id) ?? []).map((a) => `${prefix}:${a}`);
    return tags.length > 0 ? { ...own, tags: [...(own.tags ?? []), ...tags] } : own;
  });
  return { ...data, features };
}
