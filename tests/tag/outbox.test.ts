import { describe, expect, it } from 'vitest';
import type { TrackEvent } from '../../src/shared/types';
import { Outbox } from '../../src/tag/outbox';

/** sessionStorage as a Map; `quota` (characters per value) makes a bigger write fail as a full storage does. */
function memoryStorage(quota = Infinity) {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (key: string) => data.get(key) ?? null,
    setItem(key: string, value: string) {
      if (value.length > quota) throw new DOMException('full', 'QuotaExceededError');
      data.set(key, value);
    },
    removeItem: (key: string) => void data.delete(key),
  };
}

const click = (itemId: string): TrackEvent => ({ type: 'click', itemId, time: 1 });

describe('Outbox', () => {
  it('keeps events for the next page, which takes them once', () => {
    const storage = memoryStorage();
    const outbox = new Outbox(storage, () => 'k');
    outbox.save([click('A'), click('B')]);
    expect(outbox.take()).toEqual([click('A'), click('B')]);
    expect(outbox.take()).toEqual([]);
  });

  it('one event that cannot be serialised (cyclic, BigInt, a throwing getter) costs only itself', () => {
    const storage = memoryStorage();
    const outbox = new Outbox(storage, () => 'k');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const hostile = [
      { ...click('cyclic'), features: cyclic },
      { ...click('bigint'), features: { price: 10n } },
      Object.defineProperty(click('getter'), 'features', { enumerable: true, get: () => { throw new Error('boom'); } }),
    ] as TrackEvent[];
    outbox.save([click('A'), ...hostile, click('B')]);
    expect(outbox.take()).toEqual([click('A'), click('B')]);
  });

  it('an oversized event does not cost the small ones when storage is nearly full', () => {
    const storage = memoryStorage(2000);
    const outbox = new Outbox(storage, () => 'k');
    outbox.save([click('A'), { ...click('huge'), features: { text: 'x'.repeat(50_000) } }, click('B')]);
    expect(outbox.take()).toEqual([click('A'), click('B')]);
  });

  it('clears what it kept when nothing is left to keep', () => {
    const storage = memoryStorage();
    const outbox = new Outbox(storage, () => 'k');
    outbox.save([click('A')]);
    outbox.save([]);
    expect(storage.data.size).toBe(0);
  });
});
