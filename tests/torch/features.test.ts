/**
 * The PyTorch trainer hashes content tokens bit for bit as the engine does: the same tokens from
 * the same features (JavaScript's lower-casing, Unicode word regex, trim, number formatting and
 * key order) and the same FNV-1a over UTF-16 code units, on strings chosen to break a naive port.
 */
import { describe, expect, it } from 'vitest';
import type { ItemFeatures } from '../../src/shared/types';
import { limitFeatures } from '../../src/shared/feature-limits';
import { featureBuckets, featureTokens, fnv1a } from '../../src/worker/ranking/features';
import { runTorch, TORCH_MISSING } from './helpers';

const STRINGS = ['', 'a', 'é', 'e\u0301', 'ß', '𝐁', '\ud800', '😀 smile', 't:東京タワー', 'c:films>comedy', 'x'.repeat(300)];

const FEATURES: ItemFeatures[] = [
  { category: ['Films', 'Comedy'], text: 'Toy Story (1995)' },
  { category: '  Shoes  ', brand: ' ACME\u00a0', price: 12.5 },
  { category: [' Films ', '', 'Comedy', 'Ünïcödé'], text: 'Ünïcödé STRASSE ẞtraße — ΣΊΣΥΦΟΣ ΟΔΟΣ İstanbul' },
  { text: '𝐁𝐎𝐋𝐃 𝐁 😀 東京タワー café cafe\u0301 a I 1999 2024 1800 2100 19999 ١٩٩٩ １９９９ snake_case x2 Ⅻ ½ ²' },
  { text: 'tab\tnew\nline\u2028sep\u00a0nbsp\ufeffbom\u0085nel\u180emvs' },
  { brand: '\ufeffBOM brand\u0085', tags: [' VHS ', 'Cult', '', 'CULT', '\u3000wide\u3000'] },
  { attributes: { b: 1, '10': 'x', '2': 'y', ' Key ': ' V ', ratio: 0.5, big: 1e21, small: 1e-7, tiny: 1.5e-10, neg: -0, long: 123456789012345680000, sum: 0.1 + 0.2, rated: true, no: false, sizes: ['S', ' m '] } },
  { price: 0 },
  { price: 3 },
  { price: 0.5 },
  { price: 1e300 },
  { price: -1 },
  { tags: Array.from({ length: 40 }, (_, i) => `tag-${i % 30}`) },
  // Over the engine's limits: cut as the engine cuts them (feature-limits.ts), in UTF-16 units.
  { tags: Array.from({ length: 700 }, (_, i) => `LastFM:${i}`), category: Array.from({ length: 30 }, (_, i) => `level ${i}`) },
  { tags: ['😀'.repeat(128), '😀'.repeat(129), 'kept'], brand: 'é'.repeat(257), category: 'x'.repeat(300), text: `${'a '.repeat(255)}b😀 tail` },
  { attributes: { z: Array.from({ length: 50 }, (_, i) => `z${i}`), '7': ['s', 'x'.repeat(257)], ['k'.repeat(257)]: 'v', a: Array.from({ length: 30 }, (_, i) => `${i}`), b: 'last' } },
  {},
];

describe.skipIf(TORCH_MISSING)('content tokens in PyTorch', () => {
  it('FNV-1a runs over UTF-16 code units as the engine does', () => {
    const out = runTorch(['tokens'], STRINGS.map((s) => JSON.stringify(s)).join('\n'));
    const hashes = out.trim().split('\n').map((l) => (JSON.parse(l) as { fnv1a: number }).fnv1a);
    expect(hashes).toEqual(STRINGS.map(fnv1a));
  });

  it('gives the engine’s tokens and buckets for tricky features, cut to its limits as the engine cuts them', () => {
    const out = runTorch(['tokens', '--buckets', '4096', '--max-tokens', '128'], FEATURES.map((f) => JSON.stringify(f)).join('\n'));
    const rows = out.trim().split('\n').map((l) => JSON.parse(l) as { tokens: string[]; buckets: number[] });
    expect(rows).toHaveLength(FEATURES.length);
    FEATURES.forEach((raw, i) => {
      const f = limitFeatures(raw);
      expect(rows[i].tokens, JSON.stringify(f).slice(0, 200)).toEqual(featureTokens(f));
      expect(rows[i].buckets, JSON.stringify(f).slice(0, 200)).toEqual(featureBuckets(f, 4096, 128));
    });
  });
});
