/**
 * The script tag's state on one page view: consent, events waiting for the engine, and the
 * engine itself, loaded lazily. Everything a page can call ends here and nothing here throws or
 * rejects: a failure leaves the page with the server's order.
 *
 * Events are held in memory until the engine is up. When the page goes away (a click on a product
 * link) the ones not yet acknowledged are kept in sessionStorage and sent by the next page of the
 * same tab, so a click that navigates is not lost. Nothing is held or kept without consent.
 *
 * The visitor's A/B arm (holdout.ts) is decided here too, with consent, so that every answer has it
 * even without the engine; with `report: 'datalayer'` it is pushed to the data layer once per page
 * view that has a marked list.
 */
import { isErrorCode, isInputError, type ErrorCode, type Fallback } from '../shared/errors';
import { armOf, forgetBucket } from '../shared/holdout';
import { DEFAULTS } from '../shared/limits';
import { databaseName } from '../shared/names';
import type { Arm, Candidate, ExportedData, Info, Personalizer, PersonalizerOptions, RerankOptions, RerankResult, TrackEvent } from '../shared/types';
import { cleanEvent, RepeatFilter, type EventSource } from './clean-event';
import { initialConsent, type ConsentState } from './consent';
import { Outbox } from './outbox';
import { SavedOrders } from './saved-orders';
import { unruledOrder } from './server-order';
import { personalizerOptions, type TagOptions } from './tag-config';

/** What the lazily loaded module must export: the npm build's entry (`dist/localrank.js`). */
export interface EngineModule {
  createPersonalizer(options?: PersonalizerOptions): Promise<Personalizer>;
}

/** What the tag's list part exports (list-part.ts): the lists and the rules, loaded on demand. */
export type ListPart = typeof import('./list-part');

type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export interface SessionEnv {
  /** Loads the engine module (a dynamic `import()` in the browser). */
  importEngine(url: string): Promise<EngineModule>;
  /** Loads the tag's list part, once (a dynamic `import()` in the browser). */
  listPart(): Promise<ListPart>;
  /** Runs `task` after the page's own content has loaded, when the main thread is idle. */
  whenIdle(task: () => void): void;
  /** sessionStorage, or null where it cannot be used. */
  storage: KeyValueStorage | null;
  /** localStorage (where the holdout's bucket is kept), or null where it cannot be used. */
  localStorage: KeyValueStorage | null;
  /** Pushes an entry to the GA4 data layer. */
  pushDataLayer(entry: Record<string, unknown>): void;
  /** Global Privacy Control is on. */
  gpc: boolean;
  /** The engine URL used when the options name none (beside the script). */
  engineUrl: string;
  /** Deletes a database without the engine (when consent is withdrawn before it ever loaded). */
  deleteDatabase(name: string): Promise<void>;
  /** Told when the page's events or candidates carry more feature values than the engine reads (it cuts them). */
  onCut?: PersonalizerOptions['onFeaturesCut'];
}

/** Events held for the engine at most; the oldest go first. */
const MAX_HELD = 500;
/** Events per `track` call. */
const BATCH = 100;
/** Events recorded within this many ms travel together. */
const FLUSH_MS = 50;

export type EngineState = 'idle' | 'scheduled' | 'loading' | 'ready' | 'failed';

/** The error's own code when it has a known one, else `otherwise`. */
function failureOf(error: unknown, otherwise: ErrorCode): Fallback {
  const code = (error as { code?: unknown } | null)?.code;
  return {
    code: isErrorCode(code) ? code : otherwise,
    message: error instanceof Error ? error.message : String(error),
  };
}

export class TagSession {
  consent: ConsentState;
  private explicitConsent = false;
  state: EngineState = 'idle';
  private personalizer: Personalizer | null = null;
  /** The engine is up and has answered; false while it is degraded (model missing, worker failed). */
  healthy = false;
  private failure: Fallback | null = null;
  private started = false;
  private held: TrackEvent[] = [];
  private readonly inflight = new Set<TrackEvent[]>();
  private readonly repeats = new RepeatFilter();
  private readonly outbox: Outbox;
  private readonly orders: SavedOrders;
  private readonly waiters: Array<(personalizer: Personalizer | null) => void> = [];
  private readonly healthyListeners: Array<() => void> = [];
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private assigned: Arm | null = null;
  /** The exposure was pushed on this page view. */
  private exposure = false;

  constructor(
    private readonly env: SessionEnv,
    private options: TagOptions,
  ) {
    this.consent = initialConsent(options.consent, env.gpc);
    this.outbox = new Outbox(env.storage, () => `localrank:outbox:${this.namespace}`);
    this.orders = new SavedOrders(env.storage, () => `localrank:orders:${this.namespace}`);
  }

  get namespace(): string {
    return this.options.namespace ?? DEFAULTS.namespace;
  }

  /** Where the orders the visitor saw are remembered; null without consent. */
  savedOrders(): SavedOrders | null {
    return this.consent === 'granted' ? this.orders : null;
  }



  get config(): TagOptions {
    return this.options;
  }

  /**
   * This visitor's A/B arm: with consent, decided (and kept) on the device; without it the visitor
   * gets the server's order, the control experience, and is in no experiment.
   */
  get arm(): Arm {
    if (this.consent !== 'granted') return 'control';
    return (this.assigned ??= armOf(this.options.holdout, this.namespace, this.env.localStorage));
  }

  /** A marked list is on this page view: with `report: 'datalayer'`, the exposure, once. */
  exposed(listId: string | undefined): void {
    if (this.options.report !== 'datalayer' || this.consent !== 'granted' || this.exposure) return;
    this.exposure = true;
    try {
      this.env.pushDataLayer({ event: 'localrank_exposure', localrank_arm: this.arm, ...(listId ? { localrank_list: listId } : {}) });
    } catch (error) {
      console.debug('[localrank] exposure not pushed', error);
    }
  }

  /** Why the engine does not answer now. */
  unavailable(): Fallback {
    if (this.consent !== 'granted') return { code: 'NO_CONSENT', message: 'personalisation is off: no consent' };
    return this.failure ?? { code: 'TIMEOUT', message: 'the engine is still loading' };
  }

  /** New options. Engine options count only until the engine starts loading. */
  configure(options: TagOptions): void {
    if (this.state !== 'idle' && this.state !== 'scheduled') {
      const engineKeys = Object.keys(personalizerOptions(options)) as Array<keyof PersonalizerOptions>;
      if (engineKeys.some((key) => options[key] !== this.options[key])) {
        console.debug('[localrank] engine options changed after the engine started; they apply on the next page');
      }
    }
    this.options = options;
    if (!this.explicitConsent) this.consent = initialConsent(options.consent, this.env.gpc);
  }

  /** After the queued calls ran: restores the previous page's unsent events and schedules the engine. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.restoreOutbox();
    if (this.consent === 'granted') this.schedule();
    else if (this.consent === 'denied') this.settle(null);
  }

  private schedule(): void {
    if (this.state !== 'idle') return;
    this.state = 'scheduled';
    this.env.whenIdle(() => void this.load());
  }

  private async load(): Promise<void> {
    if (this.state !== 'scheduled') return;
    if (this.consent !== 'granted') {
      this.state = 'idle';
      return;
    }
    this.state = 'loading';
    let personalizer: Personalizer;
    try {
      const engine = await this.env.importEngine(this.options.engine ?? this.env.engineUrl);
      const onFeaturesCut = this.env.onCut;
      personalizer = await engine.createPersonalizer({ ...personalizerOptions(this.options), ...(onFeaturesCut && { onFeaturesCut }) });
    } catch (error) {
      this.failure = failureOf(error, 'ENGINE_UNAVAILABLE');
      this.state = 'failed';
      console.debug('[localrank] engine unavailable; the page keeps the server order', error);
      this.settle(null);
      return;
    }
    if (this.consent !== 'granted') {
      // Consent was withdrawn while the engine loaded.
      await this.discard(personalizer);
      await this.forget();
      this.state = 'idle';
      return;
    }
    this.personalizer = personalizer;
    this.state = 'ready';
    personalizer.subscribe((event) => {
      if (event.type === 'degraded') {
        this.healthy = false;
        this.failure = { code: event.code, message: event.message };
      } else if (event.type === 'recovered' && !this.healthy && this.personalizer === personalizer) {
        this.becameHealthy();
      }
    });
    // createPersonalizer resolves even when the engine failed to start (it retries in the background).
    const info = await personalizer.info();
    const healthy = info.state === 'ready';
    if (info.state !== 'ready') {
      this.failure = info.failure ?? { code: 'WORKER_FAILED', message: `the engine is ${info.state}` };
      console.debug('[localrank] engine degraded; the page keeps the server order', this.failure);
    }
    // What the page recorded before the engine arrived shapes its first answers; waited for at most
    // timeoutMs, since a track() stays pending while the engine cannot store (failing storage).
    if (healthy) await this.withWait(this.flush(), this.options.timeoutMs ?? DEFAULTS.timeoutMs);
    if (healthy && this.personalizer === personalizer) this.becameHealthy();
    this.settle(this.personalizer);
    this.scheduleFlush();
  }

  private settle(personalizer: Personalizer | null): void {
    for (const resolve of this.waiters.splice(0)) resolve(personalizer);
  }

  /** Resolves with the engine once it has loaded, or null when it cannot (failure, no consent). */
  engine(): Promise<Personalizer | null> {
    if (this.state === 'ready') return Promise.resolve(this.personalizer);
    if (this.state === 'failed' || this.consent === 'denied') return Promise.resolve(null);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** True once the engine answers; false when it failed or consent was refused. Waits at most `ms`. */
  async ready(ms?: number): Promise<boolean> {
    await this.withWait(this.engine(), ms);
    return this.healthy;
  }

  /** Runs `task` now if the engine can personalise, and again each time it can after it could not. */
  onHealthy(task: () => void): void {
    this.healthyListeners.push(task);
    if (this.healthy) task();
  }

  private becameHealthy(): void {
    this.healthy = true;
    this.failure = null;
    for (const task of this.healthyListeners) task();
  }

  private withWait<T>(promise: Promise<T>, ms: number | undefined): Promise<T | null> {
    if (ms === undefined) return promise;
    let timer: ReturnType<typeof setTimeout> | undefined;
    return Promise.race([
      promise,
      new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), ms);
      }),
    ]).finally(() => clearTimeout(timer));
  }

  /**
   * Records events from any source: the page, the markup, the dataLayer. Without a `source` (events a
   * previous page kept) nothing is taken for a repeat.
   */
  record(input: unknown, source?: EventSource): void {
    if (this.consent === 'denied') return;
    const now = Date.now();
    const events = Array.isArray(input) ? input : [input];
    for (const value of events) {
      const event = cleanEvent(value, now);
      if (!event) {
        console.debug('[localrank] event ignored', value);
        continue;
      }
      if (source && this.repeats.isRepeat(event, source, now)) continue;
      this.held.push(event);
    }
    if (this.held.length > MAX_HELD) this.held.splice(0, this.held.length - MAX_HELD);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushTimer || !this.held.length || this.state !== 'ready' || this.consent !== 'granted') return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      void this.flush();
    }, FLUSH_MS);
  }

  /** Sends everything held; resolves when the engine has answered for all of it. */
  private flush(): Promise<unknown> {
    const personalizer = this.personalizer;
    const sent: Promise<void>[] = [];
    if (personalizer && this.consent === 'granted') {
      while (this.held.length) sent.push(this.send(personalizer, this.held.splice(0, BATCH)));
    }
    return Promise.all(sent);
  }

  private send(personalizer: Personalizer, batch: TrackEvent[]): Promise<void> {
    this.inflight.add(batch);
    return personalizer
      .track(batch)
      .catch(async (error: unknown) => {
        if (batch.length > 1 && isInputError(error)) {
          await Promise.all(batch.map((event) => this.send(personalizer, [event])));
        } else {
          console.debug('[localrank] events not recorded', error);
        }
      })
      .finally(() => this.inflight.delete(batch));
  }

  /** A new page of a single-page app: impressions count again, and the exposure is pushed again. */
  newPage(): void {
    this.repeats.newPage();
    this.exposure = false;
  }

  /** Never rejects: the server's order with a `fallback` whenever the engine cannot answer. */
  async rerank(candidates: unknown, options?: RerankOptions): Promise<RerankResult> {
    if (this.consent !== 'granted') return this.serverOrder(candidates, this.unavailable(), options);
    const personalizer = await this.withWait(this.engine(), this.options.timeoutMs ?? DEFAULTS.timeoutMs);
    if (!personalizer) return this.serverOrder(candidates, this.unavailable(), options);
    try {
      return await personalizer.rerank(candidates as Candidate[], options);
    } catch (error) {
      console.debug('[localrank] rerank failed; server order kept', error);
      // Input the engine refuses (bad options) gets the server's order without them.
      return this.serverOrder(candidates, failureOf(error, 'WORKER_FAILED'), isInputError(error) ? undefined : options);
    }
  }

  /** The server's order, with the rules of `options` where the list part (which holds them) loads. */
  private async serverOrder(candidates: unknown, failure: Fallback, options: RerankOptions | undefined): Promise<RerankResult> {
    const part = options ? await this.env.listPart().catch(() => null) : null;
    return part ? part.serverOrder(candidates, failure, options, this.arm) : unruledOrder(candidates, failure, this.arm);
  }

  /** The engine's state, or null when it is not running. */
  async info(): Promise<Info | null> {
    try {
      return (await this.personalizer?.info()) ?? null;
    } catch {
      return null;
    }
  }

  /** Everything stored about the user on this device, or null when the engine is not running. */
  async exportData(): Promise<ExportedData | null> {
    try {
      return (await this.personalizer?.exportData()) ?? null;
    } catch {
      return null;
    }
  }

  /** Explicit consent from the page. A no stops recording and deletes what this namespace stored. */
  async setConsent(granted: boolean): Promise<void> {
    this.explicitConsent = true;
    if (granted) {
      this.consent = 'granted';
      if (this.started) this.schedule();
      this.scheduleFlush();
      return;
    }
    this.consent = 'denied';
    this.assigned = null;
    this.settle(null);
    const personalizer = this.personalizer;
    this.personalizer = null;
    this.healthy = false;
    if (this.state !== 'loading') this.state = 'idle';
    if (personalizer) await this.discard(personalizer);
    await this.forget();
  }

  /**
   * Deletes every event and fine-tuned weight of this namespace: held, kept for the next page,
   * or stored. Without a running engine the database itself is deleted.
   */
  async forget(): Promise<void> {
    this.held = [];
    this.removeOutbox();
    this.orders.clear();
    forgetBucket(this.namespace, this.env.localStorage);
    try {
      if (this.personalizer) await this.personalizer.forget();
      else await this.env.deleteDatabase(databaseName(this.options.namespace ?? DEFAULTS.namespace));
    } catch (error) {
      console.debug('[localrank] forget failed', error);
    }
  }

  /** Stops an engine the page may no longer use; its worker closes its database, which can then go. */
  private async discard(personalizer: Personalizer): Promise<void> {
    await personalizer.forget().catch(() => undefined);
    await personalizer.close().catch(() => undefined);
  }

  /** The page is going away: keep what the engine has not acknowledged for the next page of this tab. */
  saveOutbox(): void {
    if (this.consent !== 'granted') return this.outbox.clear();
    this.outbox.save([...[...this.inflight].flat(), ...this.held].slice(-MAX_HELD));
  }

  /** The page is back (shown again from the back/forward cache): its events are still here. */
  removeOutbox(): void {
    this.outbox.clear();
  }

  private restoreOutbox(): void {
    const events = this.outbox.take();
    if (events.length && this.consent !== 'denied') this.record(events);
  }
}
