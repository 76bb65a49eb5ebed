/**
 * Item texts of a log (`{ "<item id>": "a few words" }`, as `../shared/datasets/*_item2text.json`)
 * given to its items as `features.text`, the title words a shop's candidates carry.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Dataset } from './dataset';
import { InputError } from './input-error';

/** Reads an item2text file: every value must be a string. */
export function readItemText(path: string): Map<string, string> {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new InputError(`${basename(path)}: not a JSON object of item id -> text (${(error as Error).message})`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new InputError(`${basename(path)}: expected { "<item id>": "words" }`);
  const out = new Map<string, string>();
  for (const [id, text] of Object.entries(value as Record<string, unknown>)) {
    if (typeof text !== 'string') throw new InputError(`${basename(path)}: the text of item "${id}" is not a string`);
    out.set(id, text);
  }
  return out;
}

/** The dataset with each item's text from `path` (items without one keep their features). */
export function withText(data: Dataset, path: string): Dataset {
  const texts = readItemText(path);
  const features = data.itemIds.map((id, i) => {
    const f = data.features?.[i] ?? {};
    const text = texts.get(id);
    return text === undefined ? f : { ...f, text };
  });
  return { ...data, features };
}
