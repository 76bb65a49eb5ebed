import { describe, expect, it } from 'vitest';
import { epochUnit, parseTime } from '../../../src/training/data/timestamps';

const T = Date.UTC(2024, 4, 1, 10, 0, 0);

describe('event times', () => {
  it('reads ISO 8601 with Z, an offset, no zone (UTC), a space, UTC or a date alone', () => {
    expect(parseTime('2024-05-01T10:00:00Z')).toBe(T);
    expect(parseTime('2024-05-01T12:00:00+02:00')).toBe(T);
    expect(parseTime('2024-05-01T05:30:00-0430')).toBe(T);
    expect(parseTime('2024-05-01T10:00:00')).toBe(T);
    expect(parseTime('2024-05-01 10:00:00')).toBe(T);
    expect(parseTime('2024-05-01 10:00:00 UTC')).toBe(T);
    expect(parseTime('2024-05-01T10:00:00.250Z')).toBe(T + 250);
    expect(parseTime('2024-05-01T10:00')).toBe(T);
    expect(parseTime('2024-05-01')).toBe(Date.UTC(2024, 4, 1));
  });

  it('tells epoch seconds, ms, µs and ns apart by size, as numbers or strings', () => {
    expect(parseTime(T / 1000)).toBe(T);
    expect(parseTime(String(T / 1000))).toBe(T);
    expect(parseTime(`${T / 1000}.5`)).toBe(T + 500);
    expect(parseTime(T)).toBe(T);
    expect(parseTime(String(T * 1000))).toBe(T);
    expect(parseTime(T * 1e6)).toBe(T);
    expect([1e9, 1.7e12, 1.7e15, 1.7e18].map(epochUnit)).toEqual(['s', 'ms', 'us', 'ns']);
  });

  it('uses an explicit unit instead of guessing', () => {
    expect(parseTime(String(T), 'ms')).toBe(T);
    expect(parseTime(String(T / 1000), 's')).toBe(T);
    expect(parseTime(String(T * 1000), 'us')).toBe(T);
    expect(parseTime('2024-05-01T10:00:00Z', 's')).toBeNull();
    expect(parseTime(String(T), 'iso')).toBeNull();
  });

  it('refuses what is not a time: words, impossible dates, empty cells, placeholders before 1990', () => {
    for (const bad of ['yesterday', '2024-02-31', '2024-13-01', '2024-05-01T25:00:00', '', '0', 0, null, undefined, '1970-01-01', {}]) {
      expect(parseTime(bad)).toBeNull();
    }
  });
});
