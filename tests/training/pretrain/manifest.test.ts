import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../src/training/pretrain/pretrain';
import type { Dataset } from '../../../src/training/data/dataset';
import { usedTokens, vocabularyOf } from '../../../src/training/pretrain/manifest';
import { featureBuckets, fnv1a } from '../../../src/worker/ranking/features';

describe('the manifest vocabulary', () => {
  it('lists exactly the tokens whose buckets the model hashes', () => {
    const features = { category: ['Shoes', 'Trail'], brand: 'Acme', text: 'A very long product title with many words in it', tags: ['vegan'] };
    for (const maxTokens of [3, 8, 16, 64]) {
      const tokens = usedTokens(features, 512, maxTokens);
      const buckets = new Set(tokens.map((t) => 1 + (fnv1a(t) % 511)));
      expect(buckets).toEqual(new Set(featureBuckets(features, 512, maxTokens)));
    }
    expect(usedTokens(features, 0, 16)).toEqual([]);
  });

  it('is sorted, distinct and empty without content features', () => {
    const data: Dataset = {
      name: 'd',
      itemIds: ['a', 'b'],
      features: [{ category: 'Shoes', attributes: { color: 'Red' } }, { category: 'Shoes' }],
      eventType: 'view',
      sequences: [],
      timestamps: true,
    };
    expect(vocabularyOf(data, { ...DEFAULT_CONFIG, hashBuckets: 256 })).toEqual(['a:color=red', 'c:shoes']);
    expect(vocabularyOf(data, DEFAULT_CONFIG)).toEqual([]);
    expect(vocabularyOf({ ...data, features: undefined }, { ...DEFAULT_CONFIG, hashBuckets: 256 })).toEqual([]);
  });
});
