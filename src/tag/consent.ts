/**
 * Whether localrank may record anything on this device.
 *
 * - `granted`: record and personalise.
 * - `pending`: the page asked to wait for its consent banner; events are held in memory only and
 *   dropped if the answer is no.
 * - `denied`: record nothing, load nothing; stored data is deleted when this is set explicitly.
 *
 * Global Privacy Control (`navigator.globalPrivacyControl === true`) counts as `denied` until the
 * page calls `localrank('consent', true)`, which it should do only after the user opted in.
 */
export type ConsentState = 'granted' | 'pending' | 'denied';

/** How the page configured consent: record by default, or wait for an explicit yes. */
export type ConsentMode = 'granted' | 'required';

export function globalPrivacyControl(nav: unknown): boolean {
  return (nav as { globalPrivacyControl?: unknown } | null | undefined)?.globalPrivacyControl === true;
}

/** The state before the page has said anything explicit. */
export function initialConsent(mode: ConsentMode | undefined, gpc: boolean): ConsentState {
  if (gpc) return 'denied';
  return mode === 'required' ? 'pending' : 'granted';
}

/** Reads the value passed to `localrank('consent', value)`; anything unclear means no. */
export function parseConsent(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') return /^(true|granted|yes|1|on)$/i.test(value.trim());
  return false;
}
