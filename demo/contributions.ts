/**
 * What the panel reads of an explained item and of the engine, read defensively: an engine that does
 * not report something (an older one, or a field left out) makes the panel show nothing for it.
 *
 * `reason.contributions`: how much the server's order, the visitor's taste and the pretrained scorer
 * each added to the item's score (head weight x signal, summed per group; may be negative; `model` is
 * 0 until the scorer has loaded). `info().model`: the scorer's state.
 */

export interface Contributions {
  server: number;
  taste: number;
  model: number;
}

export type ScorerState = 'none' | 'loading' | 'ready' | 'failed';

const SCORER_STATES: readonly ScorerState[] = ['none', 'loading', 'ready', 'failed'];

const PARTS: ReadonlyArray<{ key: keyof Contributions; label: string }> = [
  { key: 'server', label: "Server's order" },
  { key: 'taste', label: 'Your taste' },
  { key: 'model', label: 'Scorer' },
];

/** The three contributions of an item's reason, or null unless all three are finite numbers. */
export function contributionsOf(reason: unknown): Contributions | null {
  if (!reason || typeof reason !== 'object') return null;
  const value = (reason as { contributions?: unknown }).contributions;
  if (!value || typeof value !== 'object') return null;
  const { server, taste, model } = value as Record<string, unknown>;
  const finite = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n);
  return finite(server) && finite(taste) && finite(model) ? { server, taste, model } : null;
}

/** The scorer's state from `info()`, or null when the engine does not say. */
export function scorerStateOf(info: unknown): ScorerState | null {
  if (!info || typeof info !== 'object') return null;
  const state = (info as { model?: unknown }).model;
  return SCORER_STATES.find((known) => known === state) ?? null;
}

const SCORER_WORDS: Record<ScorerState, string> = {
  ready: 'ready (reads any catalogue: words, categories, facets, never ids)',
  loading: 'loading (reads any catalogue; until it is ready, the server’s order and your taste rank)',
  none: 'not loaded yet (it loads from your third interaction; until then the server’s order and your taste rank)',
  failed: 'failed to load (the server’s order and your taste rank)',
};

export function scorerLine(state: ScorerState): string {
  return `Scorer: ${SCORER_WORDS[state]}`;
}

/** "+0.42", "−0.07" (a real minus sign), "0.00". */
export function formatContribution(value: number): string {
  const rounded = Math.round(value * 100) / 100;
  if (rounded === 0) return '0.00';
  return `${rounded > 0 ? '+' : '−'}${Math.abs(rounded).toFixed(2)}`;
}

/** One line per part: its share of the largest magnitude (0..1) draws a bar from the middle. */
export function contributionRows(c: Contributions): Array<{ key: keyof Contributions; label: string; value: number; text: string; share: number }> {
  const largest = Math.max(Math.abs(c.server), Math.abs(c.taste), Math.abs(c.model));
  return PARTS.map(({ key, label }) => ({
    key,
    label,
    value: c[key],
    text: formatContribution(c[key]),
    share: largest > 0 ? Math.abs(c[key]) / largest : 0,
  }));
}

/** A short line for a tile's tooltip: "server +0.12 · taste +0.80 · scorer 0.00". */
export function contributionsSummary(c: Contributions): string {
  return `server ${formatContribution(c.server)} · taste ${formatContribution(c.taste)} · scorer ${formatContribution(c.model)}`;
}
