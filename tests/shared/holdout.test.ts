import { describe, expect, it } from 'vitest';
import { BUCKETS, armOf, bucketKey, bucketOf, forgetBucket, storedBucket } from '../../src/shared/holdout';

function memory() {
  const data = new Map<string, string>();
  return { data, getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), removeItem: (k: string) => void data.delete(k) };
}

describe('the holdout', () => {
  it('stores nothing for a holdout of 0 or 1', () => {
    const storage = memory();
    expect(armOf(0, 'ns', storage)).toBe('treatment');
    expect(armOf(undefined, 'ns', storage)).toBe('treatment');
    expect(armOf(1, 'ns', storage)).toBe('control');
    expect(storage.data.size).toBe(0);
  });

  it('keeps one bucket per namespace, from 0 to 999, and reads it back', () => {
    const storage = memory();
    const bucket = bucketOf('shop', storage, () => 0.4567);
    expect(bucket).toBe(456);
    expect(storage.data.get(bucketKey('shop'))).toBe('456');
    expect(bucketOf('shop', storage, () => 0.9)).toBe(456);
    expect(storedBucket('shop', storage)).toBe(456);
    expect(armOf(0.457, 'shop', storage)).toBe('control');
    expect(armOf(0.456, 'shop', storage)).toBe('treatment');
    forgetBucket('shop', storage);
    expect(storage.data.size).toBe(0);
    expect(storedBucket('shop', storage)).toBeUndefined();
  });

  it('draws again over a value that is not a bucket', () => {
    const storage = memory();
    storage.setItem(bucketKey('x'), 'abc');
    expect(bucketOf('x', storage, () => 0.001)).toBe(1);
    storage.setItem(bucketKey('y'), String(BUCKETS));
    expect(bucketOf('y', storage, () => 0.002)).toBe(2);
  });

  it('puts about the holdout share of visitors in control', () => {
    let control = 0;
    for (let i = 0; i < 10_000; i++) if (armOf(0.1, `v${i}`, memory()) === 'control') control++;
    expect(control / 10_000).toBeGreaterThan(0.08);
    expect(control / 10_000).toBeLessThan(0.12);
  });

  it('keeps the arm for the page where storage fails', () => {
    const broken = { getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('denied'); }, removeItem: () => undefined };
    const first = bucketOf('broken', broken);
    expect(bucketOf('broken', broken)).toBe(first);
    forgetBucket('broken', broken);
  });
});
