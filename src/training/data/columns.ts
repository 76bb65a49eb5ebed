/**
 * Column names as shops spell them, matched case- and punctuation-insensitively
 * (`User ID`, `user_id` and `userId` are one name), with explicit overrides from `--columns`.
 */
import { InputError } from './input-error';

export function normaliseName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

export const EVENT_COLUMNS = {
  user: ['user_id', 'user', 'user_pseudo_id', 'visitor_id', 'customer_id', 'client_id', 'uid'],
  item: ['item_id', 'item', 'product_id', 'sku', 'product', 'iid'],
  time: ['timestamp', 'time', 'ts', 'event_time', 'event_timestamp', 'datetime', 'date', 'created_at'],
  type: ['event_type', 'type', 'event', 'event_name', 'action', 'interaction'],
} as const;

export type EventRole = keyof typeof EVENT_COLUMNS;

/** `user=visitor,item=sku` as given to --columns. */
export function parseColumnOverrides(text: string | undefined): Partial<Record<string, string>> {
  const out: Partial<Record<string, string>> = {};
  if (!text) return out;
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new InputError(`--columns takes role=name pairs separated by commas, e.g. user=visitor,item=sku (got "${part}")`);
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

/**
 * Index in `names` of each role: the override when given (which must exist), else the first
 * alias found. Roles in `required` must be found.
 */
export function resolveColumns<R extends string>(
  names: readonly string[],
  aliases: Readonly<Record<R, readonly string[]>>,
  overrides: Partial<Record<string, string>>,
  required: readonly R[],
  where: string,
): Partial<Record<R, number>> {
  const index = new Map<string, number>();
  names.forEach((n, i) => {
    const key = normaliseName(n);
    if (!index.has(key)) index.set(key, i);
  });
  const out: Partial<Record<R, number>> = {};
  for (const role of Object.keys(aliases) as R[]) {
    const wanted = overrides[role];
    if (wanted !== undefined) {
      const i = index.get(normaliseName(wanted));
      if (i === undefined) throw new InputError(`${where}: no column "${wanted}" (--columns ${role}=${wanted}); columns are: ${names.join(', ')}`);
      out[role] = i;
      continue;
    }
    for (const alias of aliases[role]) {
      const i = index.get(normaliseName(alias));
      if (i !== undefined) {
        out[role] = i;
        break;
      }
    }
  }
  const missing = required.filter((r) => out[r] === undefined);
  if (missing.length > 0) {
    throw new InputError(
      `${where}: no ${missing.join(', ')} column. Columns are: ${names.join(', ') || '(none)'}. ` +
        `Name them with --columns, e.g. --columns ${missing.map((m) => `${m}=<column>`).join(',')}`,
    );
  }
  return out;
}
