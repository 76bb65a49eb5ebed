/**
 * The shop's rules over a ranking, applied after the model and always respected: `exclude`, then
 * `keepTop` (the server's first positions stay), then `pin` (items at fixed positions), then
 * `boost` / `bury` and `maxPerGroup` over the positions left. Pure, and small enough for the
 * script tag: the worker applies it to every ranking, the page to every answer it gives without
 * the worker (failures, the holdout's control arm), so a rule holds in every result.
 */
import type { FieldValue, GroupCap, ItemFeatures, ItemMatch, RerankOptions } from '../../shared/types';

export type Rules = Pick<RerankOptions, 'exclude' | 'keepTop' | 'pin' | 'boost' | 'bury' | 'maxPerGroup'>;

/** What one application of the rules needs; candidates are named by index. */
export interface RuleInput {
  ids: readonly string[];
  /** A candidate's features; read only for rules that name a field. */
  features(index: number): ItemFeatures | undefined;
  /** The ranking, best first: every candidate index once. */
  order: ArrayLike<number>;
  /** The server's order, best first. */
  server: ArrayLike<number>;
}

export interface RuleResult {
  /** The candidates kept, best first. */
  order: Int32Array;
  /** The candidates left out, in the server's order, with the index of the `exclude` entry that matched. */
  excluded: Array<{ index: number; rule: number }>;
}

/** Weight of a `boost` or `bury` that names none. */
export const DEFAULT_WEIGHT = 0.5;

/** Whether any rule is set: without one, `applyRules` would return the order as it is. */
export function hasRules(rules: Rules | undefined): boolean {
  return !!rules && !!(rules.exclude?.length || rules.keepTop || (rules.pin && Object.keys(rules.pin).length) || rules.boost?.length || rules.bury?.length || caps(rules).length);
}

function caps(rules: Rules): readonly GroupCap[] {
  const m = rules.maxPerGroup;
  return m ? (Array.isArray(m) ? m : [m as GroupCap]) : [];
}

/** A value as rules compare it: as written, ignoring case and spaces around it and around `>`. */
function norm(value: FieldValue): string {
  return String(value).toLowerCase().replace(/\s*>\s*/g, '>').trim();
}

/** The values of an item's field, normalised; undefined when it has none. A category also yields its whole path. */
export function fieldValues(field: string, id: string, features: ItemFeatures | undefined): string[] | undefined {
  const name = field.trim().toLowerCase();
  if (name === 'id') return [norm(id)];
  if (!features) return undefined;
  let value: unknown;
  if (name === 'category') {
    const path = typeof features.category === 'string' ? [features.category] : features.category;
    value = path?.length ? [...path, path.join('>')] : undefined;
  } else if (name === 'brand' || name === 'price' || name === 'text' || name === 'tags') value = features[name];
  else {
    const attributes = features.attributes ?? {};
    const key = Object.keys(attributes).find((k) => k.toLowerCase() === name);
    value = key === undefined ? undefined : attributes[key];
  }
  if (value === undefined || value === null) return undefined;
  const list = (Array.isArray(value) ? value : [value]) as FieldValue[];
  return list.length ? list.map(norm) : undefined;
}

/** Whether an item's field values satisfy every condition of the match. */
export function matches(match: ItemMatch, values: readonly string[] | undefined): boolean {
  if (!values) return false;
  if (match.equals !== undefined && !values.includes(norm(match.equals))) return false;
  if (match.oneOf && !match.oneOf.some((v) => values.includes(norm(v)))) return false;
  if (match.min !== undefined || match.max !== undefined) {
    const { min = -Infinity, max = Infinity } = match;
    return values.some((v) => {
      const n = Number(v);
      return v !== '' && n >= min && n <= max;
    });
  }
  return true;
}

/** The key of an item's group for a cap: its field's values as one; null without the field. */
function groupOf(field: string, id: string, features: ItemFeatures | undefined): string | null {
  const values = fieldValues(field, id, features);
  if (!values) return null;
  // A category's values end with its whole path: that is the group.
  return field.trim().toLowerCase() === 'category' ? values[values.length - 1] : values.join('\u0000');
}

export function applyRules(rules: Rules, input: RuleInput): RuleResult {
  const { ids, order, server } = input;
  const n = ids.length;
  const cache = new Map<string, Array<string[] | undefined>>();
  const values = (field: string, i: number): string[] | undefined => {
    let column = cache.get(field);
    if (!column) cache.set(field, (column = []));
    if (!(i in column)) column[i] = fieldValues(field, ids[i], input.features(i));
    return column[i];
  };

  // 1. exclude: the first entry that names a candidate leaves it out.
  const excludedBy = new Int32Array(n).fill(-1);
  const excluded: RuleResult['excluded'] = [];
  const entries = rules.exclude ?? [];
  for (let r = 0; r < server.length; r++) {
    const i = server[r];
    const rule = entries.findIndex((e) => (typeof e === 'object' ? matches(e, values(e.field, i)) : String(e) === ids[i]));
    if (rule >= 0) {
      excludedBy[i] = rule;
      excluded.push({ index: i, rule });
    }
  }
  let ranked = Array.from(order).filter((i) => excludedBy[i] < 0);
  const serverKept = Array.from(server).filter((i) => excludedBy[i] < 0);
  const m = ranked.length;

  // 2. boost / bury: each item's place as a share of the list (1 for the first), moved by its weights.
  if (rules.boost?.length || rules.bury?.length) {
    const lift = (i: number): number => {
      let w = 0;
      for (const b of rules.boost ?? []) if (matches(b, values(b.field, i))) w += b.weight ?? DEFAULT_WEIGHT;
      for (const b of rules.bury ?? []) if (matches(b, values(b.field, i))) w -= b.weight ?? DEFAULT_WEIGHT;
      return Math.max(-1, Math.min(1, w));
    };
    const value = new Map(ranked.map((i, p) => [i, 1 - p / m + lift(i)]));
    // Stable: equal values keep the ranking's order.
    ranked = ranked.map((i, p) => [i, p]).sort((a, b) => value.get(b[0])! - value.get(a[0])! || a[1] - b[1]).map(([i]) => i);
  }

  // 3. keepTop, then pins: fixed positions.
  const slots = new Int32Array(m).fill(-1);
  const fixed = new Set<number>();
  const top = Math.min(rules.keepTop ?? 0, m);
  for (let p = 0; p < top; p++) {
    slots[p] = serverKept[p];
    fixed.add(serverKept[p]);
  }
  const indexOf = new Map(ids.map((id, i) => [id, i]));
  const rankOf = new Map(serverKept.map((i, r) => [i, r]));
  const pins = Object.entries(rules.pin ?? {})
    .map(([id, position]) => [indexOf.get(id) ?? -1, Math.min(position, m - 1)] as const)
    .filter(([i]) => i >= 0 && excludedBy[i] < 0 && !fixed.has(i))
    .sort((a, b) => a[1] - b[1] || rankOf.get(a[0])! - rankOf.get(b[0])!);
  for (const [i, position] of pins) {
    // Taken (by keepTop or an earlier pin): the next free position, else the last free one before.
    let p = position;
    while (p < m && slots[p] >= 0) p++;
    if (p === m) for (p = position; slots[p] >= 0; p--);
    slots[p] = i;
    fixed.add(i);
  }

  // 4. the free positions, in order, take the ranking's next item that no cap refuses there.
  const capList = caps(rules);
  const group = capList.map((c) => new Map<number, string | null>());
  const keyOf = (c: number, i: number): string | null => {
    let key = group[c].get(i);
    if (key === undefined) group[c].set(i, (key = groupOf(capList[c].field, ids[i], input.features(i))));
    return key;
  };
  const within = capList.map((c) => Math.min(c.within ?? m, m));
  const counts = capList.map(() => new Map<string, number>());
  const count = (c: number, i: number): void => {
    const key = keyOf(c, i);
    if (key !== null) counts[c].set(key, (counts[c].get(key) ?? 0) + 1);
  };
  // Fixed items count in every window they sit in, wherever the window's free places are.
  for (let p = 0; p < m; p++) if (slots[p] >= 0) capList.forEach((_, c) => p < within[c] && count(c, slots[p]));
  const allowed = (i: number, p: number): boolean =>
    capList.every((cap, c) => p >= within[c] || (keyOf(c, i) === null ? true : (counts[c].get(keyOf(c, i)!) ?? 0) < cap.max));
  let queue = ranked.filter((i) => !fixed.has(i));
  let head = 0;
  // Items a cap refused, in the ranking's order: refused until a window ends, since counts only grow.
  let refused: number[] = [];
  let taken = 0;
  let last = -1;
  for (let p = 0; p < m; p++) {
    if (slots[p] >= 0) continue;
    const ended = within.some((w) => w > last && w <= p);
    last = p;
    if (ended && refused.length > taken) {
      queue = [...refused.slice(taken), ...queue.slice(head)];
      head = 0;
      refused = [];
      taken = 0;
    }
    let pick = -1;
    while (head < queue.length) {
      const i = queue[head++];
      if (allowed(i, p)) {
        pick = i;
        break;
      }
      refused.push(i);
    }
    // No item left that the caps allow here: the best refused one (a cap cannot leave a hole).
    if (pick < 0) pick = refused[taken++];
    slots[p] = pick;
    capList.forEach((_, c) => p < within[c] && count(c, pick));
  }
  return { order: slots, excluded };
}
