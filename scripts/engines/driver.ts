/**
 * One small interface over the three browser engines a shop's visitors use, so that a test or a
 * benchmark is written once: Chromium through Playwright (CDP), Firefox through puppeteer-core over
 * WebDriver BiDi, WebKit (WebKitGTK's MiniBrowser) through W3C WebDriver with selenium-webdriver.
 * Code sent to the page is a function's source and its JSON argument; what comes back is JSON, in
 * every engine alike.
 */

export type EngineName = 'chromium' | 'firefox' | 'webkit';
export const ENGINE_NAMES: readonly EngineName[] = ['chromium', 'firefox', 'webkit'];

/**
 * How the browser keeps site data: as it does by default, in its private-browsing mode, or with
 * site storage denied (the user's "block all cookies and site data").
 */
export type StorageMode = 'default' | 'private' | 'denied';

export interface RequestRecord {
  url: string;
  method: string;
  /** The request body, where the protocol exposes it (null for none or unknown). */
  body: string | null;
}

export interface LaunchOptions {
  storage?: StorageMode;
  /** A profile folder kept across launches (to see what survives a restart); default: a fresh one. */
  profile?: string;
  /** Chromium only: extra command-line switches. */
  args?: string[];
}

export interface Driver {
  readonly engine: EngineName;
  /** Opens a URL (absolute, or a path on the test server) and waits for its load event. */
  goto(url: string): Promise<void>;
  reload(): Promise<void>;
  /** Runs `fn(arg)` in the page (awaiting a promise) and returns its JSON-serialised result. */
  evaluate<T, A = undefined>(fn: (arg: A) => T | Promise<T>, arg?: A): Promise<T>;
  /** Polls `fn(arg)` in the page until it returns something truthy, and returns that. */
  waitFor<T, A = undefined>(fn: (arg: A) => T | Promise<T>, arg?: A, options?: { timeoutMs?: number; what?: string }): Promise<NonNullable<T>>;
  /** A real click (the engine's input pipeline, a trusted event) on the first element matching `selector`. */
  click(selector: string): Promise<void>;
  /**
   * Requests the browser made from this page and its workers, as the engine's protocol reports
   * them; null where the protocol shows none (WebKit's WebDriver has no network events).
   */
  requests(): RequestRecord[] | null;
  close(): Promise<void>;
}

export interface EngineBrowser {
  readonly engine: EngineName;
  /** The engine's version as the browser reports it, e.g. `Chromium 156.0.8078.129`. */
  readonly version: string;
  /** A new page; each has storage of its own unless the browser was launched with a `profile`. */
  newPage(): Promise<Driver>;
  close(): Promise<void>;
}

/** The source sent to the page: runs the function, JSON-serialises the outcome (errors included). */
export function pageScript(fn: (...args: never[]) => unknown, arg: unknown): string {
  return `(async () => {
    try {
      const value = await (${fn.toString()})(${JSON.stringify(arg) ?? 'undefined'});
      return JSON.stringify({ value: value === undefined ? null : value });
    } catch (error) {
      return JSON.stringify({ error: String(error && error.stack ? error.message + '\\n' + error.stack : error) });
    }
  })()`;
}

/** Reads what `pageScript` returned; rethrows a page error with the engine's name. */
export function pageResult<T>(engine: EngineName, raw: unknown): T {
  if (typeof raw !== 'string') throw new Error(`[${engine}] the page returned ${String(raw)}, not a result`);
  const parsed = JSON.parse(raw) as { value?: T; error?: string };
  if (parsed.error !== undefined) throw new Error(`[${engine}] in the page: ${parsed.error}`);
  return parsed.value as T;
}

/** `waitFor` on top of `evaluate`, for every engine alike. */
export async function poll<T, A>(driver: Driver, fn: (arg: A) => T | Promise<T>, arg: A, options: { timeoutMs?: number; what?: string } = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let last: unknown;
  for (;;) {
    last = await driver.evaluate(fn, arg);
    if (last) return last as NonNullable<T>;
    if (Date.now() > deadline) {
      throw new Error(`[${driver.engine}] timed out after ${options.timeoutMs ?? 30_000} ms waiting for ${options.what ?? fn.toString().slice(0, 120)} (last: ${JSON.stringify(last)})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** What a Playwright page and a puppeteer page both offer the drivers built on them. */
export interface ScriptablePage {
  goto(url: string, options?: { waitUntil?: 'load' }): Promise<unknown>;
  reload(options?: { waitUntil?: 'load' }): Promise<unknown>;
  evaluate(script: string): Promise<unknown>;
  click(selector: string): Promise<void>;
}

/** A driver over a page that runs scripts and clicks itself (Chromium, Firefox); each records its own requests. */
export abstract class PageDriver implements Driver {
  abstract readonly engine: EngineName;
  protected readonly log: RequestRecord[] = [];

  constructor(
    private readonly page: ScriptablePage,
    private readonly origin: string,
    private readonly dispose: () => Promise<void>,
  ) {}

  async goto(url: string): Promise<void> {
    await this.page.goto(new URL(url, this.origin).href, { waitUntil: 'load' });
  }

  async reload(): Promise<void> {
    await this.page.reload({ waitUntil: 'load' });
  }

  async evaluate<T, A>(fn: (arg: A) => T | Promise<T>, arg?: A): Promise<T> {
    return pageResult<T>(this.engine, await this.page.evaluate(pageScript(fn, arg)));
  }

  waitFor<T, A>(fn: (arg: A) => T | Promise<T>, arg?: A, options?: { timeoutMs?: number; what?: string }): Promise<NonNullable<T>> {
    return poll(this, fn, arg as A, options);
  }

  async click(selector: string): Promise<void> {
    await this.page.click(selector);
  }

  requests(): RequestRecord[] {
    return [...this.log];
  }

  close(): Promise<void> {
    return this.dispose();
  }
}
