import { describe, expect, it } from 'vitest';
import { mergeOptions, personalizerOptions, readTagAttributes } from '../../src/tag/tag-config';

const BASE = 'https://shop.example/catalog/page.html';

function attrs(values: Record<string, string>) {
  return (name: string) => values[name] ?? null;
}

describe('readTagAttributes', () => {
  it('reads every documented attribute and resolves URLs against the page', () => {
    const options = readTagAttributes(
      attrs({
        'data-model': '../models/shop/manifest.json',
        'data-namespace': 'shop-eu',
        'data-backend': 'wasm',
        'data-auto-track': 'false',
        'data-datalayer': 'shopLayer',
        'data-consent': 'required',
        'data-engine': '/static/localrank.js',
        'data-holdout': '0.1',
        'data-report': 'datalayer',
      }),
      BASE,
    );
    expect(options).toEqual({
      model: 'https://shop.example/models/shop/manifest.json',
      namespace: 'shop-eu',
      backend: 'wasm',
      autoTrack: false,
      dataLayer: 'shopLayer',
      consent: 'required',
      engine: 'https://shop.example/static/localrank.js',
      holdout: 0.1,
      report: 'datalayer',
    });
  });

  it('sets nothing for absent attributes, so the defaults apply', () => {
    expect(readTagAttributes(attrs({}), BASE)).toEqual({});
  });

  it('reads flags loosely and ignores unknown values', () => {
    expect(readTagAttributes(attrs({ 'data-auto-track': '' }), BASE).autoTrack).toBe(true);
    expect(readTagAttributes(attrs({ 'data-auto-track': 'off' }), BASE).autoTrack).toBe(false);
    expect(readTagAttributes(attrs({ 'data-datalayer': 'false' }), BASE).dataLayer).toBe(false);
    expect(readTagAttributes(attrs({ 'data-datalayer': '' }), BASE).dataLayer).toBe('dataLayer');
    expect(readTagAttributes(attrs({ 'data-datalayer': 'true' }), BASE).dataLayer).toBe('dataLayer');
    expect(readTagAttributes(attrs({ 'data-datalayer': 'not a name' }), BASE).dataLayer).toBe('dataLayer');
    expect(readTagAttributes(attrs({ 'data-backend': 'gpu' }), BASE).backend).toBeUndefined();
    expect(readTagAttributes(attrs({ 'data-consent': 'maybe' }), BASE).consent).toBeUndefined();
    for (const holdout of ['', 'ten', '1.5', '-0.1']) expect(readTagAttributes(attrs({ 'data-holdout': holdout }), BASE).holdout, holdout).toBeUndefined();
    expect(readTagAttributes(attrs({ 'data-holdout': ' 1 ' }), BASE).holdout).toBe(1);
    expect(readTagAttributes(attrs({ 'data-report': 'ga' }), BASE).report).toBeUndefined();
  });
});

describe('mergeOptions', () => {
  it('lets later calls win, merging rerank options key by key', () => {
    const merged = mergeOptions({ namespace: 'a', rerank: { k: 4 } }, { namespace: 'b', rerank: { serverWeight: 0 } });
    expect(merged).toEqual({ namespace: 'b', rerank: { k: 4, serverWeight: 0 } });
  });

  it('ignores anything but a plain object', () => {
    const options = { namespace: 'a' };
    for (const bad of [null, undefined, 'x', 3, ['namespace']]) expect(mergeOptions(options, bad)).toBe(options);
  });
});

describe('personalizerOptions', () => {
  it("passes the engine's options and drops the tag's own", () => {
    const onProgress = () => undefined;
    expect(
      personalizerOptions({
        namespace: 'n',
        model: 'https://m',
        autoTrain: false,
        onProgress,
        autoTrack: false,
        dataLayer: 'x',
        consent: 'required',
        engine: 'e',
        rerank: { k: 1 },
        impressionMs: 5,
      }),
    ).toEqual({ namespace: 'n', model: 'https://m', autoTrain: false, onProgress });
  });
});
