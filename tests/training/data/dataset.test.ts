import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { restrictItems, SYNTHETIC_GAP_MS } from '../../../src/training/data/dataset';
import { readDataset } from '../../../src/training/data/load';

function file(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'lr-'));
  const path = join(dir, 'tiny.txt');
  writeFileSync(path, text);
  return path;
}

describe('datasets', () => {
  it('reads the `user item item ...` format in order with evenly spaced times', async () => {
    const d = await readDataset(file('1 10 20 30\n2 20 40\n\n'));
    expect(d.name).toBe('tiny');
    expect(d.itemIds).toEqual(['10', '20', '30', '40']);
    expect(d.sequences.map((s) => Array.from(s.items))).toEqual([[1, 2, 3], [2, 4]]);
    expect(d.sequences[0].times[1] - d.sequences[0].times[0]).toBe(SYNTHETIC_GAP_MS);
    expect(d.eventType).toBe('purchase');
    expect(d.timestamps).toBe(false);
  });

  it('restrictItems keeps the most frequent items and drops users left with one event', async () => {
    const d = restrictItems(await readDataset(file('1 10 20 30\n2 20 40\n3 20 10\n4 30 50\n')), 2);
    expect(d.itemIds).toEqual(['10', '20']);
    expect(d.sequences.map((s) => s.user)).toEqual(['1', '3']);
    expect(Array.from(d.sequences[1].items)).toEqual([2, 1]);
  });
});
