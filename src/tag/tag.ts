/**
 * What the script tag does on a page: installs `window.localrank`, replays the stub's queue,
 * watches the markup and the dataLayer, and loads the engine lazily. See script-tag.ts.
 */
import { deleteDatabase } from '../shared/delete-database';
import { DEFAULTS } from '../shared/limits';
import type { Candidate, RerankOptions, TrackEvent } from '../shared/types';
import { globalPrivacyControl, parseConsent } from './consent';
import { watchDataLayer } from './datalayer';
import { RERANKABLE, TILE, TileTracker } from './dom';
import { ListLoader, unpaintedPage, type ListPartState } from './list-loader';
import { takeQueue, type LocalrankGlobal } from './snippet';
import { mergeOptions, readTagAttributes, type TagOptions } from './tag-config';
import { TagSession, type EngineModule, type ListPart } from './tag-session';
import { Diagnostics, type Warning } from './warnings';
import { PageWatcher } from './watch';

/** Marks the real function, so a second copy of the script leaves the first in charge. */
const LOADED = Symbol.for('localrank.loaded');
/** On the real function: how a later copy of the script reports itself to the one in charge. */
const ANOTHER = Symbol.for('localrank.another');
/** The tag's list part (list-part.ts), beside the tag's file. */
const LIST_PART = 'localrank-lists.js';

/** What `localrank('diagnose')` answers. */
export interface Diagnosis {
  namespace: string;
  consent: string;
  engine: string;
  /** The engine personalises now. */
  personalizing: boolean;
  /** The tag's list part (`localrank-lists.js`), which reorders marked lists: `failed` when it is not hosted beside the tag. */
  lists: ListPartState;
  /** What could not be used, about elements still on the page (see warnings.ts). */
  warnings: Warning[];
}

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

function localStore(win: Host): Storage | null {
  try {
    return win.localStorage;
  } catch {
    return null;
  }
}

/** A localrank script tag: its file is named `localrank….iife.js`. */
function isTag(el: HTMLScriptElement): boolean {
  return /\/localrank[^/]*\.iife\.js(?:[?#]|$)/i.test(el.src);
}

function tagOptions(tag: HTMLScriptElement | null, base: string): TagOptions {
  return tag ? readTagAttributes((name) => tag.getAttribute(name), base) : {};
}

/**
 * Installs `window.localrank` and starts watching the page. Returns false when it was already there.
 * The first localrank script of the page sets the options, whichever copy runs first; a copy with
 * other settings is ignored with a `SECOND_TAG` warning.
 */
export function installTag(win: Host, script: HTMLScriptElement | null): boolean {
  const existing = win.localrank as (LocalrankGlobal & Record<symbol, unknown>) | undefined;
  if (typeof existing === 'function' && existing[LOADED]) {
    if (script) (existing[ANOTHER] as ((tag: HTMLScriptElement) => void) | undefined)?.(script);
    return false;
  }
  const doc = win.document;
  const first = Array.from(doc.querySelectorAll<HTMLScriptElement>('script[src]')).find((el) => el === script || isTag(el)) ?? script;
  const scriptUrl = first?.src || doc.baseURI;
  const settings = (tag: HTMLScriptElement): string => JSON.stringify([tagOptions(tag, doc.baseURI), new URL('.', tag.src || doc.baseURI).href]);

  const queue = takeQueue(existing);
  let options: TagOptions = tagOptions(first, doc.baseURI);
  for (const call of queue) if (call[0] === 'init') options = mergeOptions(options, call[1]);

  const diagnostics = new Diagnostics();
  let listPart: Promise<ListPart> | null = null;
  const loadListPart = (): Promise<ListPart> => (listPart ??= import(/* @vite-ignore */ new URL(LIST_PART, scriptUrl).href) as Promise<ListPart>);
  const session = new TagSession(
    {
      importEngine: (url) => import(/* @vite-ignore */ url) as Promise<EngineModule>,
      listPart: loadListPart,
      whenIdle: (task) => whenIdle(win, task),
      storage: sessionStore(win),
      localStorage: localStore(win),
      pushDataLayer(entry) {
        const layer = session.config.dataLayer || DEFAULTS.dataLayer;
        const list = (win[layer] ??= []) as unknown[];
        list.push(entry);
      },
      gpc: globalPrivacyControl(win.navigator),
      engineUrl: new URL('localrank.js', scriptUrl).href,
      deleteDatabase,
      // Told on the tag's own element: the values came from the page's calls or its data layer, not from a tile.
      onCut: (field, kind) =>
        diagnostics.report(first ?? doc.documentElement, [
          { code: kind === 'value' ? 'TOO_LONG' : field === 'category' ? 'CATEGORY_TOO_DEEP' : 'TOO_MANY', attribute: `features.${field}` },
        ]),
    },
    options,
  );

  const checked = new WeakSet<Element>([...(first ? [first] : [])]);
  const another = (tag: HTMLScriptElement): void => {
    if (checked.has(tag)) return;
    checked.add(tag);
    if (first && settings(tag) !== settings(first)) diagnostics.report(tag, [{ code: 'SECOND_TAG', attribute: 'src' }]);
  };
  const tracker = new TileTracker(doc, (events: TrackEvent[]) => session.record(events, 'markup'), options.impressionMs ?? DEFAULTS.impressionMs, diagnostics);
  const path = (): string => win.location.pathname + win.location.search;
  const navigation = (win as { navigation?: { currentEntry?: { id?: string } | null } }).navigation;
  const lists = new ListLoader(doc, async () => {
    const part = await loadListPart();
    return new part.Lists(doc, {
      tile: (el) => tracker.tile(el),
      seen: (el) => tracker.seen(el),
      report: (el, problems, context) => diagnostics.report(el, problems, context),
      rerank: (candidates: Candidate[], opts?: RerankOptions) => session.rerank(candidates, opts),
      ruled: (candidates, opts) => part.serverOrder(candidates, session.unavailable(), opts, session.arm),
      options: () => session.config.rerank,
      exposed: (listId) => session.exposed(listId),
      arm: () => session.arm,
      healthy: () => session.healthy,
      saved: () => session.savedOrders(),
      // The history entry where the Navigation API tells it: back, forward and reload find it again, a new visit does not.
      page: () => `${navigation?.currentEntry?.id ?? ''} ${path()}`,
      quiet: (moves) => watcher.quiet(moves),
    });
  });
  let page = path();
  const watcher = new PageWatcher(doc, (changed) => {
    if (path() !== page) {
      page = path();
      session.newPage();
      tracker.newPage();
    } else tracker.scan();
    // While the parser is still adding tiles, lists are handled once it is done (DOMContentLoaded).
    if (doc.readyState !== 'loading') for (const list of changed) lists.changed(list, true);
  });

  function watchPage(): void {
    const current = session.config;
    if (current.autoTrack === false) tracker.stop();
    else tracker.start();
    tracker.scan();
    watcher.start();
    if (current.dataLayer !== false) {
      watchDataLayer(win, current.dataLayer ?? DEFAULTS.dataLayer, (events) => session.record(events, 'datalayer'));
    }
  }

  const commands: Record<string, (...args: unknown[]) => unknown> = {
    init(update) {
      session.configure(mergeOptions(session.config, update));
      if (doc.readyState !== 'loading') watchPage();
    },
    track: (events) => session.record(events, 'page'),
    rerank: (candidates, opts) => session.rerank(candidates, opts as RerankOptions | undefined),
    refresh(scope) {
      watcher.flush();
      tracker.scan();
      if (session.healthy) return lists.runAll(true, scope instanceof Element ? scope : undefined);
    },
    async diagnose(): Promise<Diagnosis> {
      watcher.flush();
      for (const el of doc.querySelectorAll(TILE)) tracker.tile(el);
      await lists.inspect();
      return {
        namespace: session.namespace,
        consent: session.consent,
        engine: session.state,
        personalizing: session.healthy,
        lists: lists.state,
        warnings: diagnostics.current(),
      };
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
  api[ANOTHER] = another;
  win.localrank = api;
  for (const el of doc.querySelectorAll<HTMLScriptElement>('script[src]')) if (isTag(el)) another(el);
  if (script) another(script);

  lists.preload();
  for (const call of queue) if (call[0] !== 'init') void run(call);
  session.onHealthy(() => void lists.runAll());
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
      // A list not painted yet may be put back in the order the visitor saw before it shows.
      const unpainted = unpaintedPage();
      for (const list of doc.querySelectorAll<HTMLElement>(RERANKABLE)) lists.changed(list, unpainted);
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
