/**
 * What the fault, tab and privacy suites share: open the built library in a page with the
 * library's Workers captured (so a test can terminate one or inject a fault into it), call the
 * personalizer, and force storage faults through the Chrome DevTools Protocol.
 */
import type { BrowserContext, Page } from '@playwright/test';
import { BLANK, FIXTURE_MODEL } from './helpers';

/** The built bundle; LOCALRANK_BUNDLE points a run at another build folder. */
export const BUNDLE = process.env.LOCALRANK_BUNDLE ?? '/dist/localrank.js';

export type Fault = 'lose-gpu' | 'exit' | 'throw' | 'hang';

/**
 * Before any page script runs: wrap `Worker` so every worker the page creates is kept in
 * `window.__workers`, and record what the personalizer emits in `window.__events`.
 */
export async function captureWorkers(context: BrowserContext | Page): Promise<void> {
  await context.addInitScript(() => {
    const w = window as unknown as { __workers: Worker[]; __events: unknown[] };
    const Native = window.Worker;
    w.__workers = [];
    w.__events = [];
    window.Worker = class extends Native {
      constructor(url: string | URL, options?: WorkerOptions) {
        super(url, options);
        w.__workers.push(this);
      }
    };
  });
}

/** Opens the blank page and creates `window.lr` from the built bundle (options as JSON). */
export async function open(page: Page, options: Record<string, unknown> = {}, url = BLANK): Promise<void> {
  await page.goto(url);
  await page.evaluate(
    async ([bundle, opts]) => {
      const lib = await import(/* @vite-ignore */ bundle);
      const w = window as unknown as { lr: { subscribe(f: (e: unknown) => void): void }; __events?: unknown[] };
      w.lr = await lib.createPersonalizer({ autoTrain: false, ...opts });
      w.__events ??= [];
      w.lr.subscribe((e) => w.__events!.push(e));
    },
    [BUNDLE, { model: FIXTURE_MODEL, ...options }] as const,
  );
}

/** Calls a method of `window.lr` in the page. */
export function call<T = unknown>(page: Page, method: string, ...args: unknown[]): Promise<T> {
  return page.evaluate(
    ([m, a]) => (window as unknown as { lr: Record<string, (...x: unknown[]) => Promise<T>> }).lr[m](...a),
    [method, args] as const,
  );
}

/** Calls a method and returns its error's name and code, or null when it succeeded. */
export function errorOf(page: Page, method: string, ...args: unknown[]): Promise<{ name: string; code: string; message: string } | null> {
  return page.evaluate(
    async ([m, a]) => {
      try {
        await (window as unknown as { lr: Record<string, (...x: unknown[]) => Promise<unknown>> }).lr[m](...a);
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
  backendReason: string;
  events: number;
  storage: 'indexeddb' | 'memory';
  fineTuned: boolean;
  lastTraining: { at: number; steps: number; kept: boolean; durationMs: number } | null;
  storageStatus?: { state: string; prunedForQuota: number; lastError?: string };
  queuedEvents?: number;
  diagnostics?: { tensors: number; heapBytes?: number };
}

export const info = (page: Page) => call<InfoSnapshot>(page, 'info');

/** Injects a fault into the library's newest worker, or terminates it (`terminate`). */
export async function hitWorker(page: Page, fault: Fault | 'terminate'): Promise<void> {
  await page.evaluate((f) => {
    const workers = (window as unknown as { __workers: Worker[] }).__workers;
    const worker = workers[workers.length - 1];
    if (f === 'terminate') worker.terminate();
    else worker.postMessage({ localrankFault: f });
  }, fault);
}

export const workerCount = (page: Page) => page.evaluate(() => (window as unknown as { __workers: Worker[] }).__workers.length);

/** What the personalizer emitted so far (`degraded`, `recovered`, `train`). */
export const emitted = (page: Page) => page.evaluate(() => (window as unknown as { __events: Array<{ type: string; code?: string; backend?: string }> }).__events);

/** Events as the page would track them: `n` views of distinct items, tagged so each is traceable. */
export function views(tag: string, n: number, from = 0): Array<{ type: string; itemId: string; listId: string }> {
  return Array.from({ length: n }, (_, i) => ({ type: 'view', itemId: String((i + from) % 300 + 1), listId: `${tag}-${i + from}` }));
}
