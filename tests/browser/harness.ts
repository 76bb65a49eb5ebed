/**
 * What the browser suites share: open the built library in a page (the one opener), call the
 * personalizer, capture the library's Workers (so a test can terminate one or inject a fault into
 * it) and read what it emitted.
 */
import type { BrowserContext, Page } from '@playwright/test';
import type { Personalizer } from '../../src/index';
import { BLANK, FIXTURE_MODEL } from './helpers';
import './window';

/** The built bundle; LOCALRANK_BUNDLE points a run at another build folder. */
export const BUNDLE = process.env.LOCALRANK_BUNDLE ?? '/dist/localrank.js';

export type Fault = 'lose-gpu' | 'exit' | 'throw' | 'hang';

/**
 * Before any page script runs: wrap `Worker` so every worker the page creates is kept in
 * `window.__workers`, and record what the personalizer emits in `window.__events`.
 */
export async function captureWorkers(context: BrowserContext | Page): Promise<void> {
  await context.addInitScript(() => {
    const Native = window.Worker;
    window.__workers = [];
    window.__events = [];
    window.Worker = class extends Native {
      constructor(url: string | URL, options?: WorkerOptions) {
        super(url, options);
        window.__workers.push(this);
      }
    };
  });
}

/**
 * Opens `url` (the blank page) and creates `window.lr` from the built bundle, with the fixture
 * model loaded at start-up (`loadModel: 'eager'`: most suites test what the model does, not when
 * it loads; tests/browser/model-part.spec.ts tests the lazy default) and no background training,
 * unless `options` (JSON) say otherwise. The module is kept on `window.localrankLib`; what `lr`
 * emits collects in `window.__events`.
 */
export async function open(page: Page, options: Record<string, unknown> = {}, url = BLANK): Promise<void> {
  await page.goto(url);
  await page.evaluate(
    async ([bundle, opts]) => {
      const lib = (await import(/* @vite-ignore */ bundle)) as Window['localrankLib'];
      window.localrankLib = lib;
      window.lr = await lib.createPersonalizer({ autoTrain: false, ...opts });
      window.__events ??= [];
      window.lr.subscribe((e) => window.__events.push(e));
    },
    [BUNDLE, { model: FIXTURE_MODEL, loadModel: 'eager', ...options }] as const,
  );
}

/** A method of the personalizer, called with whatever a test passes (bad input included). */
type AnyMethod = (...args: unknown[]) => Promise<unknown>;

/** Calls a method of `window.lr` in the page. */
export function call<T = unknown>(page: Page, method: keyof Personalizer, ...args: unknown[]): Promise<T> {
  return page.evaluate(([m, a]) => (window.lr[m] as AnyMethod)(...a) as Promise<T>, [method, args] as const);
}

/** Calls a method and returns its error's name and code, or null when it succeeded. */
export function errorOf(page: Page, method: keyof Personalizer, ...args: unknown[]): Promise<{ name: string; code: string; message: string } | null> {
  return page.evaluate(
    async ([m, a]) => {
      try {
        await (window.lr[m] as AnyMethod)(...a);
        return null;
      } catch (e) {
        const err = e as { name: string; code: string; message: string };
        return { name: err.name, code: err.code, message: err.message };
      }
    },
    [method, args] as const,
  );
}

export interface InfoSnapshot {
  backend: string;
  model: 'none' | 'loading' | 'ready' | 'failed';
  modelFailure?: { code: string; message: string };
  backendReason: string;
  events: number;
  storage: 'indexeddb' | 'memory';
  fineTuned: boolean;
  lastTraining: { at: number; steps: number; kept: boolean; durationMs: number } | null;
  storageStatus?: { state: string; prunedForQuota: number; lastError?: string };
  queuedEvents?: number;
  diagnostics?: { tensors: number; heapBytes?: number; droppedRecords?: { events: number; weights: number; items: number; meta: number } };
}

export const info = (page: Page) => call<InfoSnapshot>(page, 'info');

/** Injects a fault into the library's newest worker, or terminates it (`terminate`). */
export async function hitWorker(page: Page, fault: Fault | 'terminate'): Promise<void> {
  await page.evaluate((f) => {
    const workers = window.__workers;
    const worker = workers[workers.length - 1];
    if (f === 'terminate') worker.terminate();
    else worker.postMessage({ localrankFault: f });
  }, fault);
}

export const workerCount = (page: Page) => page.evaluate(() => window.__workers.length);

/** What the personalizer emitted so far (`degraded`, `recovered`, `train`). */
export const emitted = (page: Page) => page.evaluate(() => window.__events);

/** Events as the page would track them: `n` views of distinct items, tagged so each is traceable. */
export function views(tag: string, n: number, from = 0): Array<{ type: 'view'; itemId: string; listId: string }> {
  return Array.from({ length: n }, (_, i) => ({ type: 'view' as const, itemId: String((i + from) % 300 + 1), listId: `${tag}-${i + from}` }));
}
