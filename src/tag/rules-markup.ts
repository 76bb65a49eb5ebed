/**
 * The rules a list's markup declares, as the `RerankOptions` of the npm API (docs/rules.md):
 *
 * - `data-lr-keep-top="2"` on the list: the first 2 server positions never move.
 * - `data-lr-pin="3"` on a tile: the tile is fixed at position 3 (0-based).
 * - `data-lr-exclude="instock=false; id=sku-1|sku-2"` on the list: tiles matching any entry are hidden.
 * - `data-lr-boost="brand=Acme@0.3"`, `data-lr-bury="price>=100"` on the list: weight after `@`, default 0.5.
 * - `data-lr-max-per-group="brand 2/10"` on the list: at most 2 of one brand in the first 10 (`/10` optional).
 *
 * A match is `field=value`, `field=a|b` (any of), `field=10..50` (a range), `field>=n` or
 * `field<=n`, over the fields of `ItemMatch` (`category`, `brand`, `price`, `tags`, `id` or a
 * `data-lr-attr-NAME` attribute's NAME); entries are separated by `;`. An entry that does not
 * read is left out and reported (`BAD_RULE`); the others still apply.
 */
import { LIMITS } from '../shared/limits';
import type { GroupCap, ItemMatch, RerankOptions, WeightedMatch } from '../shared/types';
import type { Problem } from './markup';

/** Entries of one rule attribute, at most (as the npm options allow). */
const MAX_ENTRIES = 100;

const MATCH = /^([^=<>@]+?)\s*(>=|<=|=)\s*(.+)$/;
const RANGE = /^(-?\d+(?:\.\d+)?)\s*\.\.\s*(-?\d+(?:\.\d+)?)$/;
const CAP = /^(\S+)\s+(\d+)(?:\s*\/\s*(\d+))?$/;

function short(text: string): boolean {
  return text.length > 0 && text.length <= LIMITS.maxIdLength;
}

/** One match, e.g. `brand=Acme|Bolt`, `price>=10`, `price=10..50`; null when it does not read. */
export function parseMatch(text: string): ItemMatch | null {
  const m = MATCH.exec(text.trim());
  if (!m) return null;
  const [, field, op, value] = m as unknown as [string, string, string, string];
  if (!short(field.trim())) return null;
  if (op !== '=') {
    const n = Number(value);
    return Number.isFinite(n) && value.trim() !== '' ? (op === '>=' ? { field, min: n } : { field, max: n }) : null;
  }
  const range = RANGE.exec(value.trim());
  if (range) return { field, min: Number(range[1]), max: Number(range[2]) };
  const values = value.split('|').map((v) => v.trim()).filter(Boolean);
  if (!values.length || values.length > MAX_ENTRIES || !values.every(short)) return null;
  return values.length === 1 ? { field, equals: values[0]! } : { field, oneOf: values };
}

/** A boost or bury entry: a match and an optional `@weight` from 0 to 1. */
export function parseWeighted(text: string): WeightedMatch | null {
  const at = text.lastIndexOf('@');
  const match = parseMatch(at < 0 ? text : text.slice(0, at));
  if (!match || at < 0) return match;
  const weight = text.slice(at + 1).trim();
  const n = Number(weight);
  return weight !== '' && n >= 0 && n <= 1 ? { ...match, weight: n } : null;
}

/** A group cap: `field max` or `field max/within`. */
export function parseCap(text: string): GroupCap | null {
  const m = CAP.exec(text.trim());
  if (!m || !short(m[1]!)) return null;
  const cap: GroupCap = { field: m[1]!, max: Number(m[2]) };
  if (m[3] !== undefined) {
    if (Number(m[3]) < 1) return null;
    cap.within = Number(m[3]);
  }
  return cap;
}

function entries<T>(el: Element, attribute: string, parse: (text: string) => T | null, problems: Problem[]): T[] | undefined {
  const value = el.getAttribute(attribute);
  if (value === null) return undefined;
  const out: T[] = [];
  for (const part of value.split(';')) {
    if (!part.trim()) continue;
    const parsed = out.length < MAX_ENTRIES ? parse(part) : null;
    if (parsed) out.push(parsed);
    else problems.push({ code: 'BAD_RULE', attribute });
  }
  return out.length ? out : undefined;
}

/**
 * The rules of a list: its own attributes, and the pins of its tiles (`pins`: item id to
 * position, read with the tiles). Problems are added to `problems`.
 */
export function listRules(list: Element, pins: ReadonlyArray<[string, number]>, problems: Problem[]): RerankOptions {
  const rules: RerankOptions = {};
  const keepTop = list.getAttribute('data-lr-keep-top');
  if (keepTop !== null) {
    const n = Number(keepTop.trim());
    if (keepTop.trim() !== '' && Number.isInteger(n) && n >= 0) rules.keepTop = n;
    else problems.push({ code: 'BAD_RULE', attribute: 'data-lr-keep-top' });
  }
  const exclude = entries(list, 'data-lr-exclude', parseMatch, problems);
  if (exclude) rules.exclude = exclude;
  const boost = entries(list, 'data-lr-boost', parseWeighted, problems);
  if (boost) rules.boost = boost;
  const bury = entries(list, 'data-lr-bury', parseWeighted, problems);
  if (bury) rules.bury = bury;
  const caps = entries(list, 'data-lr-max-per-group', parseCap, problems);
  if (caps) rules.maxPerGroup = caps;
  if (pins.length) rules.pin = Object.fromEntries(pins);
  return rules;
}
