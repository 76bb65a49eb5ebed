import { describe, expect, it } from 'vitest';
import { typeIndex } from '../../../src/training/data/event-types';
import { LogBuilder } from '../../../src/training/data/log-builder';

const VIEW = typeIndex('view');
const options = { collapseRepeats: false, ties: 'arrival', perEventTypes: true } as const;

describe('LogBuilder', () => {
  it('groups events by user in first-seen order and sorts each user by time, ties as read', () => {
    const b = new LogBuilder();
    b.add('u2', 'x', 5, VIEW);
    b.add('u1', 'a', 30, VIEW);
    b.add('u1', 'b', 10, VIEW);
    b.add('u1', 'c', 10, VIEW);
    const { itemIds, sequences } = b.finish(options);
    expect(itemIds).toEqual(['x', 'a', 'b', 'c']);
    expect(sequences.map((s) => [s.user, Array.from(s.items), Array.from(s.times)])).toEqual([
      ['u2', [1], [5]],
      ['u1', [3, 4, 2], [10, 10, 30]],
    ]);
  });

  it('orders equal times by item row when asked (MovieLens reproducibility)', () => {
    const b = new LogBuilder();
    b.itemRow('a');
    b.add('u', 'b', 1, VIEW);
    b.add('u', 'a', 1, VIEW);
    expect(Array.from(b.finish({ ...options, ties: 'item' }).sequences[0].items)).toEqual([1, 2]);
  });

  it('keeps events across storage chunks (over a million events)', () => {
    const b = new LogBuilder();
    const n = (1 << 20) + 3;
    for (let i = 0; i < n; i++) b.add(`u${i % 3}`, `i${i % 5}`, n - i, VIEW);
    expect(b.events).toBe(n);
    const { sequences } = b.finish(options);
    expect(sequences.reduce((s, q) => s + q.items.length, 0)).toBe(n);
    const times = sequences[0].times;
    expect(times[0]).toBeLessThan(times[times.length - 1]);
  });
});
