import { describe, expect, it } from 'vitest';
import type { Dataset, Sequence } from '../../../src/training/data/dataset';
import { PAGE_SIZE, sessionCases } from '../../../src/training/eval/session';

function dataset(users = 120, items = 300): Dataset {
  const sequences: Sequence[] = Array.from({ length: users }, (_, u) => {
    const len = 3 + (u % 6);
    const rows = Int32Array.from({ length: len }, (_, i) => 1 + ((u * 11 + i * 7) % items));
    return { user: `u${u}`, items: rows, times: Float64Array.from({ length: len }, (_, i) => i * 86_400_000) };
  });
  return { name: 'shop', itemIds: Array.from({ length: items }, (_, i) => `i${i}`), features: Array.from({ length: items }, (_, i) => ({ tags: [`t${i % 9}`] })), eventType: 'purchase', sequences, timestamps: false };
}

describe('the session protocol', () => {
  const data = dataset();
  const cases = sessionCases(data, 50, 3);

  it('shows a page before each next item but the first and the last, the item among 19 the user never touched', () => {
    expect(cases).toHaveLength(50);
    for (const c of cases) {
      const seq = data.sequences.find((s) => s.user === c.user)!;
      const id = (row: number) => `shop:${data.itemIds[row - 1]}`;
      expect(c.first.itemId).toBe(id(seq.items[0]));
      expect(c.pages.map((p) => p.chosen)).toEqual(Array.from(seq.items.slice(1, -1), id));
      const touched = new Set(Array.from(seq.items, id));
      for (const page of c.pages) {
        expect(page.candidates).toHaveLength(PAGE_SIZE);
        expect(page.candidates.filter((x) => touched.has(String(x.id))).map((x) => x.id)).toEqual([page.chosen]);
      }
      expect(c.test.target).toBe(id(seq.items[seq.items.length - 1]));
      expect(c.test.candidates).toHaveLength(100);
      expect(c.history.map((h) => h.itemId)).toEqual(Array.from(seq.items.slice(0, -1), id));
    }
  });

  it('lists each page in the shop\'s bestseller order', () => {
    const counts = new Map<string, number>();
    for (const s of data.sequences) for (const r of s.items.slice(0, -1)) counts.set(`shop:${data.itemIds[r - 1]}`, (counts.get(`shop:${data.itemIds[r - 1]}`) ?? 0) + 1);
    for (const page of cases.flatMap((c) => c.pages)) {
      const pops = page.candidates.map((x) => counts.get(String(x.id)) ?? 0);
      for (let i = 1; i < pops.length; i++) expect(pops[i]).toBeLessThanOrEqual(pops[i - 1]);
    }
  });
});
