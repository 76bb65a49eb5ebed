/**
 * What the script tag does on a page: installs `window.localrank`, replays the stub's queue,
 * watches the markup and the dataLayer, and loads the engine lazily. See script-tag.ts.
 */
import { deleteDatabase } from '../shared/delete-database';
import { DEFAULTS } from '../shared/limits';
import type { Candidate, RerankOptions, TrackEvent } from '../shared/types';
import { globalPrivacyControl, parseConsent } from './consent';
import { watchDataLayer } from './datalayer';
import { TileTracker } from './dom';
import { rerankContainer } from './reorder';
import { takeQueue, type LocalrankGlobal } from './snippet';
import { mergeOptions, readTagAttributes, type TagOptions } from './tag-config';
import { TagSession, type EngineModule } from './tag-session';

/** Marks the real function, so a second copy of the script leaves the first in charge. */
const LOADED = Symbol.for('localrank.loaded');
const RERANKABLE = '[data-lr-rerank]';

export type Host = Window & typeof globalThis & { localrank?: unknown } & Record<string, unknown>;

function debug(what: string, error: unknown): void {
  console.debug(`[localrank] ${what}`, error);
}

function sessionStore(win: Host): Storage | null {
  try {
    return win.sessionStorage;
  } catch {
    return null;
  }
}

/** Installs `window.localrank` and starts watching the page. Returns false when it was already there. */
export function installTag(win: Host, script: HTMLScriptElement | null): boolean {
  const existing = win.localrank;
  if (typeof existing === 'function' && (existing as unknown as Record<symbol, unknown>)[LOADED]) return false;
  const doc = win.document;
  const scriptUrl = script?.src || doc.baseURI;

  const queue = takeQueue(existing);
  let options: TagOptions = script ? readTagAttributes((name) => script.getAttribute(name), doc.baseURI) : {};
  for (const call of queue) if (call[0] === 'init') options = mergeOptions(options, call[1]);

  const session = new TagSession(
    {
      importEngine: (url) => import(/* @vite-ignore */ url) as Promise<EngineModule>,
      whenIdle: (task) => whenIdle(win, task),
      storage: sessionStore(win),
      gpc: globalPrivacyControl(win.navigator),
      engineUrl: new URL('localrank.js', scriptUrl).href,
      deleteDatabase,
    },
    options,
  );

  const record = (events: TrackEvent[]): void => session.record(events);
  const tracker = new TileTracker(doc, record, options.impressionMs ?? DEFAULTS.impressionMs, () => rerankAll());
  const reranked = new WeakSet<Element>();

  function rerankAll(): void {
    session.whenHealthy(() => {
      for (const el of doc.querySelectorAll<HTMLElement>(RERANKABLE)) {
        if (reranked.has(el)) continue;
        reranked.add(el);
        rerankContainer(el, {
          tile: (tile) => tracker.tile(tile),
          seen: (tile) => tracker.seen(tile),
          rerank: (candidates: Candidate[], opts?: RerankOptions) => session.rerank(candidates, opts),
          options: session.config.rerank,
        }).catch((error: unknown) => debug('reordering failed', error));
      }
    });
  }

  function watchPage(): void {
    const current = session.config;
    if (current.autoTrack === false) tracker.stop();
    else tracker.start();
    if (current.dataLayer !== false) watchDataLayer(win, current.dataLayer ?? DEFAULTS.dataLayer, record);
  }

  const commands: Record<string, (...args: unknown[]) => unknown> = {
    init(update) {
      session.configure(mergeOptions(session.config, update));
      if (doc.readyState !== 'loading') watchPage();
    },
    track: (events) => session.record(events),
    rerank: (candidates, opts) => session.rerank(candidates, opts as RerankOptions | undefined),
    refresh() {
      tracker.scan();
      rerankAll();
    },
    consent: (value) => session.setConsent(parseConsent(value)),
    forget: () => session.forget(),
    info: () => session.info(),
    exportData: () => session.exportData(),
    ready: () => session.ready(),
  };

  function run(args: unknown[]): Promise<unknown> {
    const [command, ...rest] = args;
    const callback = typeof rest[rest.length - 1] === 'function' ? (rest.pop() as (result: unknown) => void) : null;
    let result: Promise<unknown>;
    try {
      const handler = typeof command === 'string' && Object.hasOwn(commands, command) ? commands[command]! : null;
      if (!handler) debug('unknown command', command);
      result = Promise.resolve(handler?.(...rest));
    } catch (error) {
      result = Promise.reject(error);
    }
    return result
      .catch((error: unknown) => {
        debug(`${String(command)} failed`, error);
        return undefined;
      })
      .then((value) => {
        try {
          callback?.(value);
        } catch (error) {
          debug('callback failed', error);
        }
        return value;
      });
  }

  const api = function localrank(...args: unknown[]): Promise<unknown> {
    return run(args);
  } as LocalrankGlobal & Record<symbol, unknown>;
  api[LOADED] = true;
  win.localrank = api;

  for (const call of queue) if (call[0] !== 'init') void run(call);
  session.start();

  win.addEventListener('pagehide', () => session.saveOutbox());
  win.addEventListener('pageshow', (event) => {
    if (event.persisted) session.removeOutbox();
  });
  doc.addEventListener('visibilitychange', () => {
    if (doc.visibilityState === 'hidden') session.saveOutbox();
    else session.removeOutbox();
  });

  /** At DOMContentLoaded and again at load; both steps are idempotent. */
  const onReady = (): void => {
    try {
      watchPage();
      rerankAll();
    } catch (error) {
      debug('watching the page failed', error);
    }
  };
  if (doc.readyState === 'loading') doc.addEventListener('DOMContentLoaded', onReady, { once: true });
  else onReady();
  // Google Tag Manager may create the dataLayer after this script ran.
  win.addEventListener('load', onReady, { once: true });
  return true;
}

/** After the `load` event, when the main thread is idle: the engine never competes with the page's own content. */
function whenIdle(win: Host, task: () => void): void {
  const idle = (): void => {
    if (typeof win.requestIdleCallback === 'function') win.requestIdleCallback(() => task(), { timeout: 3000 });
    else setTimeout(task, 200);
  };
  if (win.document.readyState === 'complete') idle();
  else win.addEventListener('load', idle, { once: true });
}

export function currentScript(doc: Document): HTMLScriptElement | null {
  const script = doc.currentScript;
  if (script instanceof HTMLScriptElement) return script;
  return doc.querySelector<HTMLScriptElement>('script[src*="localrank"][src$=".iife.js"]');
}
