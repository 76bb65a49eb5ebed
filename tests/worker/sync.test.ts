import { describe, expect, it } from 'vitest';
import { TabSync, type TabMessage } from '../../src/worker/sync';

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
