import { describe, expect, it } from 'vitest';
import { controlSessions, sizeTable } from '../../scripts/holdout-size';

describe('holdout-size', () => {
  it('gives the textbook sessions per arm for an even split', () => {
    // 2% to 2.2% at alpha 0.05 two-sided and power 0.8: about 80,700 per arm (e.g. G*Power, Evan Miller's calculator).
    expect(controlSessions(0.02, 0.1)).toBeGreaterThan(80_600);
    expect(controlSessions(0.02, 0.1)).toBeLessThan(80_800);
    // Halving the lift needs about four times the sessions.
    expect(controlSessions(0.03, 0.05) / controlSessions(0.03, 0.1)).toBeCloseTo(3.9, 1);
  });

  it('an uneven split needs fewer control sessions but more in all', () => {
    const even = controlSessions(0.02, 0.2);
    const control = controlSessions(0.02, 0.2, 9);
    expect(control).toBeLessThan(even);
    expect(control * 10).toBeGreaterThan(even * 2);
  });

  it('prints one row per baseline and lift', () => {
    const table = sizeTable([0.02, 0.03], [0.05, 0.1, 0.2], 0.1);
    expect(table.split('\n')).toHaveLength(2 + 6);
    expect(table).toContain('| 2% | +10% (to 2.2%) | 80,682 | 161,364 |');
  });
});
