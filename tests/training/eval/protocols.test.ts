import { describe, expect, it } from 'vitest';
import { popularity, type Dataset, type Sequence } from '../../../src/training/data/dataset';
import { CoocRetriever, evalCases, isDeviceUser, splitFor } from '../../../src/training/eval/protocols';

function dataset(users = 300, items = 200): Dataset {
  const sequences: Sequence[] = Array.from({ length: users }, (_, u) => {
    const len = 5 + (u % 7);
    const rows = Int32Array.from({ length: len }, (_, i) => 1 + ((u * 7 + i * 3) % items));
    return { user: `u${u}`, items: rows, times: Float64Array.from({ length: len }, (_, i) => i * 1000) };
  });
  return { name: 'synthetic', itemIds: Array.from({ length: items }, (_, i) => `i${i}`), eventType: 'purchase', sequences, timestamps: false };
}

describe('protocols', () => {
  const data = dataset();

  it('standard: pretraining never sees the last two items; the test target is the last item', () => {
    const split = splitFor(data, 'standard', 'test');
    split.train.forEach((s, i) => expect(Array.from(s.items)).toEqual(Array.from(data.sequences[i].items.slice(0, -2))));
    const { cases } = evalCases(data, split, 'standard', 50, 1);
    expect(cases).toHaveLength(50);
    for (const c of cases) {
      const seq = data.sequences.find((s) => s.user === c.user)!;
      expect(c.target).toBe(data.itemIds[seq.items[seq.items.length - 1] - 1]);
      expect(c.history).toHaveLength(seq.items.length - 1);
      expect(c.candidates).toHaveLength(100);
      const ids = new Set(c.candidates.map((x) => String(x.id)));
      expect(ids.size).toBe(100);
      const interacted = new Set(Array.from(seq.items, (r) => data.itemIds[r - 1]));
      expect(c.candidates.filter((x) => interacted.has(String(x.id))).map((x) => x.id)).toEqual([c.target]);
    }
  });

  it('valid target is the second-last item, with the history before it', () => {
    const { cases } = evalCases(data, splitFor(data, 'standard', 'valid'), 'standard', 10, 1);
    for (const c of cases) {
      const seq = data.sequences.find((s) => s.user === c.user)!;
      expect(c.target).toBe(data.itemIds[seq.items[seq.items.length - 2] - 1]);
      expect(c.history).toHaveLength(seq.items.length - 2);
    }
  });

  it('the same seed draws the same users and negatives', () => {
    const split = splitFor(data, 'standard', 'test');
    expect(evalCases(data, split, 'standard', 20, 5).cases).toEqual(evalCases(data, split, 'standard', 20, 5).cases);
    expect(evalCases(data, split, 'standard', 20, 5).cases).not.toEqual(evalCases(data, split, 'standard', 20, 6).cases);
  });

  it('device: about 10% of users, none of them in pretraining', () => {
    const split = splitFor(data, 'device', 'test');
    const device = new Set(split.testUsers.map((t) => t.seq.user));
    expect(device.size).toBeGreaterThan(data.sequences.length * 0.04);
    expect(device.size).toBeLessThan(data.sequences.length * 0.2);
    expect(split.train.some((s) => device.has(s.user))).toBe(false);
    expect([...device].every(isDeviceUser)).toBe(true);
  });

  it('server order is by popularity in the pretraining data', () => {
    const split = splitFor(data, 'standard', 'test');
    const pop = popularity(data, split.train);
    const { cases } = evalCases(data, split, 'standard', 5, 1);
    for (const c of cases) {
      const counts = c.candidates.map((x) => pop[data.itemIds.indexOf(String(x.id)) + 1]);
      expect(counts).toEqual([...counts].sort((a, b) => b - a));
    }
  });

  it('the retriever returns k unseen items led by co-occurring ones', () => {
    const train: Sequence[] = [
      { user: 'a', items: Int32Array.from([1, 2, 3]), times: new Float64Array(3) },
      { user: 'b', items: Int32Array.from([1, 2, 4]), times: new Float64Array(3) },
      { user: 'c', items: Int32Array.from([5, 6]), times: new Float64Array(2) },
    ];
    const r = new CoocRetriever(train, popularity({ ...data, itemIds: ['1', '2', '3', '4', '5', '6'] }, train));
    const out = r.retrieve([1], 4);
    expect(out).toHaveLength(4);
    expect(out[0]).toBe(2);
    expect(out).not.toContain(1);
  });
});
