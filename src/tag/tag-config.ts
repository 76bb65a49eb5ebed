import { BACKEND_CHOICES, type BackendName, type PersonalizerOptions, type RerankOptions } from '../shared/types';
import { DEFAULTS } from '../shared/limits';
import type { ConsentMode } from './consent';

/**
 * Options of the script-tag build: everything `createPersonalizer` accepts, plus how the page is
 * watched. Set through `data-*` attributes on the script tag or `localrank('init', {...})`.
 */
export interface TagOptions extends PersonalizerOptions {
  /** Track marked product tiles (impressions, clicks, add-to-cart) and rerank marked lists. Default true. */
  autoTrack?: boolean;
  /** Name of the GA4 data layer array on `window` to learn from, or `false`. Default `'dataLayer'`. */
  dataLayer?: string | false;
  /** `'granted'` (default): record unless Global Privacy Control is on; `'required'`: record nothing until `localrank('consent', true)`. */
  consent?: ConsentMode;
  /** URL of the engine module the tag loads lazily. Default: `localrank.js` beside the script. */
  engine?: string;
  /** Options for reranking marked lists (`k`, `serverWeight`, `diversity`). */
  rerank?: RerankOptions;
  /** How long a tile must stay at least half visible to count as an impression, ms. Default 1000. */
  impressionMs?: number;
  /**
   * `'datalayer'`: push `{ event: 'localrank_exposure', localrank_arm, localrank_list }` to the GA4
   * data layer once per page view with a marked list, so the shop's analytics compare the arms.
   * Default: nothing is pushed.
   */
  report?: 'datalayer';
}

function flag(value: string): boolean {
  return !/^(false|off|no|0)$/i.test(value.trim());
}

/** `data-datalayer="false"` turns ingestion off; `"myLayer"` names another array; `""` or `"true"` the default. */
function dataLayerName(value: string): string | false {
  if (!flag(value)) return false;
  return /^[A-Za-z_$][\w$]*$/.test(value) && !/^(true|on|yes)$/i.test(value) ? value : DEFAULTS.dataLayer;
}

function absolute(value: string, base: string): string | undefined {
  try {
    return new URL(value, base).href;
  } catch {
    return undefined;
  }
}

/**
 * Reads the script tag's attributes. `attr` returns an attribute's value or null; `base` resolves
 * relative URLs (the page's base URL).
 *
 * `data-model`, `data-namespace`, `data-backend`, `data-auto-track`, `data-datalayer`,
 * `data-consent` (`required`), `data-engine`, `data-holdout` (0..1), `data-report` (`datalayer`).
 */
export function readTagAttributes(attr: (name: string) => string | null, base: string): TagOptions {
  const options: TagOptions = {};
  const model = attr('data-model');
  if (model) options.model = absolute(model, base);
  const namespace = attr('data-namespace');
  if (namespace) options.namespace = namespace;
  const backend = attr('data-backend');
  if (backend && (BACKEND_CHOICES as readonly string[]).includes(backend)) options.backend = backend as BackendName | 'auto';
  const autoTrack = attr('data-auto-track');
  if (autoTrack != null) options.autoTrack = flag(autoTrack);
  const dataLayer = attr('data-datalayer');
  if (dataLayer != null) options.dataLayer = dataLayerName(dataLayer);
  const consent = attr('data-consent');
  if (consent === 'required' || consent === 'granted') options.consent = consent;
  const engine = attr('data-engine');
  if (engine) options.engine = absolute(engine, base);
  const holdout = Number(attr('data-holdout')?.trim() || NaN);
  if (holdout >= 0 && holdout <= 1) options.holdout = holdout;
  if (attr('data-report')?.trim().toLowerCase() === 'datalayer') options.report = 'datalayer';
  return options;
}

/**
 * Merges `localrank('init', ...)` options over what is known. Only plain objects count; values
 * are copied shallowly except `rerank`, which merges key by key.
 */
export function mergeOptions(into: TagOptions, update: unknown): TagOptions {
  if (update == null || typeof update !== 'object' || Array.isArray(update)) return into;
  const next = { ...into, ...(update as TagOptions) };
  if (into.rerank || (update as TagOptions).rerank) {
    next.rerank = { ...into.rerank, ...(update as TagOptions).rerank };
  }
  return next;
}

/** The options `createPersonalizer` gets: the tag's own keys removed. */
export function personalizerOptions(options: TagOptions): PersonalizerOptions {
  const rest: TagOptions = { ...options };
  for (const key of TAG_KEYS) delete rest[key];
  return rest;
}

const TAG_KEYS = ['autoTrack', 'dataLayer', 'consent', 'engine', 'rerank', 'impressionMs', 'report'] as const;
