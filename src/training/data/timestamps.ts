/**
 * Event times as they appear in shops' exports, to ms since the Unix epoch: ISO 8601 (with or
 * without a zone; no zone means UTC), SQL-style `2024-05-01 10:00:00[ UTC]`, and epoch numbers in
 * s, ms, µs (GA4's `event_timestamp`) or ns, told apart by magnitude.
 */

export type TimeUnit = 'auto' | 's' | 'ms' | 'us' | 'ns' | 'iso';

export const TIME_UNITS: readonly TimeUnit[] = ['auto', 's', 'ms', 'us', 'ns', 'iso'];

const SCALE: Record<'s' | 'ms' | 'us' | 'ns', number> = { s: 1000, ms: 1, us: 1e-3, ns: 1e-6 };

/** Earliest time accepted: anything before is a placeholder (0, 1970) or a wrong unit. */
export const MIN_TIME_MS = Date.UTC(1990, 0, 1);

/**
 * Unit of an epoch number by magnitude. Unambiguous for dates from 1990 to 5138: seconds stay below
 * 1e11, ms from 1990 on lie in [6.3e11, 1e14), µs in [6.3e14, 1e17), ns above.
 */
export function epochUnit(value: number): 's' | 'ms' | 'us' | 'ns' {
  const v = Math.abs(value);
  if (v < 1e11) return 's';
  if (v < 1e14) return 'ms';
  if (v < 1e17) return 'us';
  return 'ns';
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/i;

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function parseIso(text: string): number | null {
  const m = ISO_DATE.exec(text);
  if (!m) return null;
  const year = +m[1];
  const month = +m[2];
  const day = +m[3];
  const hour = m[4] === undefined ? 0 : +m[4];
  const minute = m[5] === undefined ? 0 : +m[5];
  const second = m[6] === undefined ? 0 : +m[6];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 60) return null;
  let time = Date.UTC(year, month - 1, day, hour, minute, second);
  if (m[7]) time += Number(`0.${m[7]}`) * 1000;
  const zone = m[8]?.toUpperCase();
  if (zone && zone !== 'Z' && zone !== 'UTC' && zone !== 'GMT') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    time -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0')) * 60_000;
  }
  return time;
}

/**
 * Milliseconds since the epoch, or null when `value` is not a time in `unit` (or lies before
 * MIN_TIME_MS). Numbers may come as numbers or as numeric strings.
 */
export function parseTime(value: unknown, unit: TimeUnit = 'auto'): number | null {
  let time: number | null = null;
  if (typeof value === 'number' || (typeof value === 'string' && NUMBER.test(value.trim()))) {
    if (unit === 'iso') return null;
    const n = Number(value);
    if (!Number.isFinite(n)) return null;
    time = n * SCALE[unit === 'auto' ? epochUnit(n) : unit];
  } else if (typeof value === 'string') {
    if (unit !== 'auto' && unit !== 'iso') return null;
    time = parseIso(value.trim());
  }
  if (time === null || !Number.isFinite(time) || time < MIN_TIME_MS) return null;
  return time;
}
