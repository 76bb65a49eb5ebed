import { describe, expect, it } from 'vitest';
import { formatDuration, Progress } from '../../../src/training/cli/progress';

function stream(isTTY: boolean) {
  const out: string[] = [];
  return { out, s: { isTTY, columns: 200, write: (t: string) => out.push(t) } };
}

describe('progress bar', () => {
  it('redraws one line on a terminal with a gauge and an ETA from the rate so far', () => {
    let now = 0;
    const { out, s } = stream(true);
    const p = new Progress(s, 'training', 100, String, () => now);
    p.update(0);
    now = 10_000;
    p.update(25, 'epoch 1/4');
    expect(out[1]).toBe('\rtraining [######------------------]  25% 25/100 ETA 30s epoch 1/4');
    now = 40_000;
    p.done('4 epochs');
    expect(out[2]).toMatch(/^\rtraining: done in 40s, 4 epochs +\n$/);
  });

  it('prints plain lines at most every few seconds when not a terminal', () => {
    let now = 0;
    const { out, s } = stream(false);
    const p = new Progress(s, 'reading', 1000, String, () => now, 5000);
    p.update(0);
    now = 1000;
    p.update(100);
    now = 6000;
    p.update(600);
    p.update(1000);
    expect(out).toEqual(['reading   0% 0/1000 ETA ?\n', 'reading  60% 600/1000 ETA 4s\n', 'reading 100% 1000/1000 ETA 0s\n']);
  });

  it('writes durations for people', () => {
    expect([5, 75, 3725, NaN].map(formatDuration)).toEqual(['5s', '1m15s', '1h02m', '?']);
  });
});
