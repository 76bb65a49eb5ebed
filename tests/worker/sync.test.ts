import { describe, expect, it } from 'vitest';
import { Refresh, TabSync, type TabMessage } from '../../src/worker/sync';

const tick = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('TabSync', () => {
  it('tells the other engines of the namespace, not itself and not other namespaces', async () => {
    const got: Record<string, TabMessage[]> = { a: [], b: [], other: [] };
    const a = new TabSync('shop', (m) => got.a.push(m));
    const b = new TabSync('shop', (m) => got.b.push(m));
    const other = new TabSync('other-shop', (m) => got.other.push(m));
    a.post({ type: 'weights', savedAt: 5 });
    await tick();
    expect(got).toEqual({ a: [], b: [{ type: 'weights', savedAt: 5 }], other: [] });
    for (const s of [a, b, other]) s.close();
  });

  it('keeps an engine with storage of its own out of it', async () => {
    const got: TabMessage[] = [];
    const shared = new TabSync('solo', (m) => got.push(m));
    const alone = new TabSync('solo', (m) => got.push(m), false);
    alone.post({ type: 'forget' });
    await tick();
    expect(got).toEqual([]);
    expect(await alone.exclusive(async () => 7)).toBe(7);
    shared.close();
    alone.close();
  });
});

describe('Refresh', () => {
  it('coalesces a burst into one re-read, plus one for requests made while it ran', async () => {
    let reads = 0;
    let release!: () => void;
    const refresh = new Refresh(
      () => {
        reads++;
        return reads === 1 ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve();
      },
      () => false,
    );
    refresh.request();
    refresh.request();
    refresh.request();
    expect(reads).toBe(1);
    release();
    await tick();
    expect(reads).toBe(2);
  });

  it('retries a failing re-read a few times, and stops once stopped', async () => {
    let reads = 0;
    let stopped = false;
    new Refresh(async () => {
      reads++;
      throw new Error('closed under us');
    }, () => stopped).request();
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(reads).toBe(4);
    stopped = true;
    const idle = new Refresh(async () => {
      reads++;
    }, () => stopped);
    idle.request();
    await tick();
    expect(reads).toBe(4);
  });
});
