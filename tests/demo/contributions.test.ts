import { describe, expect, it } from 'vitest';
import { contributionRows, contributionsOf, contributionsSummary, formatContribution, scorerLine, scorerStateOf } from '../../demo/contributions';

describe('what the panel reads of an explained item', () => {
  it('reads the three contributions of a reason', () => {
    const reason = { text: 'Because you viewed X', drivenBy: [], contributions: { server: 0.2, taste: 1.1, model: -0.3 } };
    expect(contributionsOf(reason)).toEqual({ server: 0.2, taste: 1.1, model: -0.3 });
  });

  it('shows nothing when the engine does not report them, or reports them half or wrong', () => {
    expect(contributionsOf(undefined)).toBeNull();
    expect(contributionsOf({ text: 'Because you viewed X', drivenBy: [] })).toBeNull();
    expect(contributionsOf({ contributions: { server: 0.2, taste: 1.1 } })).toBeNull();
    expect(contributionsOf({ contributions: { server: 0.2, taste: Number.NaN, model: 0 } })).toBeNull();
    expect(contributionsOf({ contributions: { server: '0.2', taste: 1, model: 0 } })).toBeNull();
    expect(contributionsOf({ contributions: null })).toBeNull();
  });

  it('writes signed values with a real minus sign and draws bars against the largest magnitude', () => {
    expect(formatContribution(0.4249)).toBe('+0.42');
    expect(formatContribution(-0.07)).toBe('−0.07');
    expect(formatContribution(0.001)).toBe('0.00');
    const rows = contributionRows({ server: 0.5, taste: -1, model: 0 });
    expect(rows.map((row) => [row.key, row.share, row.text])).toEqual([
      ['server', 0.5, '+0.50'],
      ['taste', 1, '−1.00'],
      ['model', 0, '0.00'],
    ]);
    expect(contributionRows({ server: 0, taste: 0, model: 0 }).every((row) => row.share === 0)).toBe(true);
    expect(contributionsSummary({ server: 0.5, taste: -1, model: 0 })).toBe('server +0.50 · taste −1.00 · scorer 0.00');
  });

  it("reads the scorer's state from info(), and nothing from an engine that does not say", () => {
    expect(scorerStateOf({ state: 'ready', model: 'ready' })).toBe('ready');
    expect(scorerStateOf({ state: 'ready', model: 'loading' })).toBe('loading');
    expect(scorerStateOf({ state: 'ready' })).toBeNull();
    expect(scorerStateOf({ state: 'ready', model: 'warming' })).toBeNull();
    expect(scorerLine('ready')).toMatch(/^Scorer: ready \(reads any catalogue/);
    expect(scorerLine('none')).toMatch(/^Scorer: not loaded yet/);
  });
});
