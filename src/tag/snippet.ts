/**
 * The queue-before-load stub a page pastes inline, before any call to `localrank(...)`.
 *
 * It defines `window.localrank` as a function that only remembers its arguments in `localrank.q`.
 * When the script-tag build arrives it replaces the function and replays the queue in order, so no
 * call made before that is lost. The text is kept byte-exact: its SHA-256 is what a strict
 * Content-Security-Policy allows (docs/script-tag.md, "Content-Security-Policy"); a test checks
 * the two agree.
 */
export const SNIPPET =
  'window.localrank=window.localrank||function(){(localrank.q=localrank.q||[]).push(arguments)};';

/** The stub as an inline script element, ready to paste into a page template. */
export const SNIPPET_TAG = `<script>${SNIPPET}</script>`;

/** One queued call: the `arguments` object the stub stored, e.g. `['track', {...}]`. */
export type QueuedCall = ArrayLike<unknown>;

/** The global a page sees: the stub before the library loads, the library's function after. */
export interface LocalrankGlobal {
  (command: string, ...args: unknown[]): unknown;
  /** Calls the stub queued; gone once the library has replayed them. */
  q?: QueuedCall[];
}

/** Takes the queued calls out of a stub (or anything else on `window.localrank`), oldest first. */
export function takeQueue(existing: unknown): unknown[][] {
  if (typeof existing !== 'function') return [];
  const queue = (existing as LocalrankGlobal).q;
  if (!Array.isArray(queue)) return [];
  const calls: unknown[][] = [];
  for (const entry of queue) {
    if (entry != null && typeof (entry as QueuedCall).length === 'number') {
      calls.push(Array.prototype.slice.call(entry));
    }
  }
  queue.length = 0;
  return calls;
}
