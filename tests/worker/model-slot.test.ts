import { describe, expect, it } from 'vitest';
import { LocalrankError } from '../../src/shared/errors';
import type { ModelPart } from '../../src/worker/model/contract';
import { ModelSlot } from '../../src/worker/model-slot';

const part = () => ({ dispose() {} }) as unknown as ModelPart;

describe('ModelSlot', () => {
  it('loads once when asked, and is ready with the part', async () => {
    let loads = 0;
    const slot = new ModelSlot(async () => (loads++, part()), () => 0);
    expect(slot.status()).toEqual({ model: 'none' });
    const first = slot.request();
    expect(slot.status().model).toBe('loading');
    void slot.request();
    await first;
    expect(loads).toBe(1);
    expect(slot.status()).toEqual({ model: 'ready' });
    expect(slot.part).not.toBeNull();
    expect(slot.wanted()).toBe(false);
  });

  it('a failed load says why, and is tried again only after its back-off (2 s, then 10 s)', async () => {
    let now = 0;
    let fail = true;
    const slot = new ModelSlot(async () => {
      if (fail) throw new LocalrankError('MODEL_INTEGRITY', 'weights SHA-256 does not match');
      return part();
    }, () => now);
    await slot.request();
    expect(slot.status()).toEqual({ model: 'failed', modelFailure: { code: 'MODEL_INTEGRITY', message: 'weights SHA-256 does not match' } });
    expect(slot.wanted()).toBe(false);
    now = 2_000;
    expect(slot.wanted()).toBe(true);
    await slot.request();
    now = 4_000;
    expect(slot.wanted()).toBe(false);
    now = 12_000;
    fail = false;
    await slot.request();
    expect(slot.status()).toEqual({ model: 'ready' });
  });

  it('an error without a code (the chunk could not be imported) is MODEL_LOAD_FAILED; a part whose GPU is lost for good stays failed', async () => {
    const slot = new ModelSlot(async () => {
      throw new TypeError('Failed to fetch dynamically imported module');
    }, () => 0);
    await slot.request();
    expect(slot.status().modelFailure?.code).toBe('MODEL_LOAD_FAILED');
    const ready = new ModelSlot(async () => part(), () => 1e12, part());
    ready.lost({ code: 'BACKEND_UNAVAILABLE', message: 'WebGL context lost; recovery failed' });
    expect(ready.status().model).toBe('failed');
    expect(ready.part).toBeNull();
    expect(ready.wanted()).toBe(false);
  });

  it('never loads without a loader (loadModel: never)', async () => {
    const slot = new ModelSlot(null, () => 0);
    await slot.request();
    expect(slot.status()).toEqual({ model: 'none' });
  });
});
