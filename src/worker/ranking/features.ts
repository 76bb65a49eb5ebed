/**
 * Content features of an item (category, title, brand, price) as hashed token ids. The same
 * function runs in the Node pretraining and in the worker, so an item the model never saw by id
 * lands on the same content embedding rows on both sides.
 */
import type { ItemFeatures } from '../../shared/types';

/** FNV-1a, 32 bit: tiny, stable across platforms and fast enough for a few tokens per item. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

const WORD = /[\p{L}\p{N}]+/gu;

function words(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

/**
 * Tokens of an item's features, prefixed by field so that `c:comedy` and `t:comedy` differ.
 * A four-digit year in the text also yields a decade token, which generalises across titles.
 */
export function featureTokens(features: ItemFeatures | undefined): string[] {
  if (!features) return [];
  const tokens: string[] = [];
  const { category, text, brand, price } = features;
  if (category !== undefined) {
    const path = typeof category === 'string' ? [category] : category;
    let prefix = '';
    for (const level of path) {
      const name = String(level).trim().toLowerCase();
      if (!name) continue;
      tokens.push(`c:${name}`);
      prefix = prefix ? `${prefix}>${name}` : name;
      if (prefix !== name) tokens.push(`cp:${prefix}`);
    }
  }
  if (typeof text === 'string') {
    for (const word of words(text)) {
      if (word.length < 2) continue;
      tokens.push(`t:${word}`);
      if (/^(1[89]|20)\d\d$/.test(word)) tokens.push(`y:${word.slice(0, 3)}0s`);
    }
  }
  if (typeof brand === 'string' && brand.trim()) tokens.push(`b:${brand.trim().toLowerCase()}`);
  for (const tag of features.tags ?? []) {
    const name = String(tag).trim().toLowerCase();
    if (name) tokens.push(`g:${name}`);
  }
  for (const [key, value] of Object.entries(features.attributes ?? {})) {
    const name = key.trim().toLowerCase();
    for (const v of Array.isArray(value) ? value : [value]) tokens.push(`a:${name}=${String(v).trim().toLowerCase()}`);
  }
  if (typeof price === 'number' && Number.isFinite(price) && price >= 0) {
    tokens.push(`p:${Math.round(Math.log2(1 + price) * 2)}`);
  }
  return tokens;
}

/**
 * Hash buckets of an item's tokens, de-duplicated, at most `maxTokens`. Bucket ids are 1-based:
 * 0 is the padding row of the hash table, so callers can pad with zeros.
 */
export function featureBuckets(
  features: ItemFeatures | undefined,
  buckets: number,
  maxTokens: number,
): number[] {
  if (buckets <= 1 || maxTokens <= 0) return [];
  const seen = new Set<number>();
  for (const token of featureTokens(features)) {
    seen.add(1 + (fnv1a(token) % (buckets - 1)));
    if (seen.size >= maxTokens) break;
  }
  return [...seen];
}
