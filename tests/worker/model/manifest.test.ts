import { describe, expect, it } from 'vitest';
import { MANIFEST_LIMITS, knowsItem, minHistory, modelInfo, readsAnyCatalogue } from '../../../src/worker/model/manifest';
import { MODEL_LIMITS } from '../../../src/worker/model/scorer';
import { fixtureArtifacts } from '../helpers';

describe('the manifest as the engine reads it', () => {
  it('bounds what it reads as the model part does (scorer.ts, which the engine cannot import)', () => {
    expect(MANIFEST_LIMITS.manifestBytes).toBe(MODEL_LIMITS.manifestBytes);
    expect(MANIFEST_LIMITS.vocabulary).toBe(MODEL_LIMITS.vocabulary);
    expect(MANIFEST_LIMITS.maxHistory).toBe(MODEL_LIMITS.maxHistory);
  });

  it('knows an item by its id, or by a content token of its vocabulary; a card may say it reads any catalogue', () => {
    const { manifest } = fixtureArtifacts();
    const info = modelInfo({ ...manifest, vocabulary: { tokens: ['c:garden', 'b:acme'] } });
    expect(knowsItem(info, manifest.items.ids[0], undefined)).toBe(true);
    expect(knowsItem(info, 'sku-1', { category: ['Tools'] })).toBe(false);
    expect(knowsItem(info, 'sku-1', { category: ['Garden', 'Tools'] })).toBe(true);
    expect(knowsItem(info, 'sku-2', { brand: 'Acme' })).toBe(true);
    expect(knowsItem(modelInfo(manifest), 'sku-1', { category: ['Garden'] })).toBe(false);
    expect(readsAnyCatalogue(info)).toBe(false);
    expect(readsAnyCatalogue(modelInfo({ ...manifest, card: { datasets: [], priorBeatsServer: false, readsAnyCatalogue: true } }))).toBe(true);
    expect(minHistory(info)).toBe(1);
    expect(minHistory(modelInfo({ ...manifest, card: { datasets: [], priorBeatsServer: false, minHistory: 3 } }))).toBe(3);
  });
});
