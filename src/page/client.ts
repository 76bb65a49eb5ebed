/**
 * The main-thread half: validates input, talks to the worker through comlink with a timeout on
 * every call, restarts a worker that dies, and answers `rerank` with the server's order whenever
 * the engine cannot. Nothing here throws into the host page except typed errors for bad input.
 */
import { proxy, releaseProxy, transfer, wrap, type Remote } from 'comlink';
import { isInputError, LocalrankError, type Fallback } from '../shared/errors';
import { serverOrderResult } from '../shared/fallback';
import { armOf, forgetBucket, storedBucket } from '../shared/holdout';
import { deleteDatabase } from '../shared/delete-database';
import { databaseName } from '../shared/names';
import * as env from '../shared/env';
import { cutCounter, type CutCounts, type OnCut } from '../shared/feature-limits';
import { DEFAULTS, LIMITS } from '../shared/limits';
import { installErrorTransfer, unpackRanking, type PackedRanking, type WorkerApi, type WorkerInit } from '../shared/protocol';
import type {
  Arm,
  BackendName,
  Candidate,
  ExportedData,
  Info,
  Personalizer,
  PersonalizerEvent,
  PersonalizerOptions,
  RerankOptions,
  RerankResult,
  StoredEvent,
  TrackEvent,
  TrainReport,
} from '../shared/types';
import { checkCandidates, checkRerankOptions, checkTrackEvents } from '../shared/validate';
import { CandidatePacker, type Packed } from './pack';
import { withTimeout } from './timeout';

/** How long to wait before trying a failed worker again: 2 s, 10 s, 1 min, then every 5 min. */
const RETRY_DELAYS_MS = [2_000, 10_000, 60_000, 300_000];
const TRAIN_TIMEOUT_MS = 120_000;
/** While calls are pending the worker is pinged this often; a long call to a dead worker settles fast. */
const PING_EVERY_MS = 1_000;
const PING_TIMEOUT_MS = 5_000;

/** After a delivery of events fails while the worker is up (storage failing), it is retried after 2 s, 10 s, 1 min, then every 5 min. */
const REDELIVERY_DELAYS_MS = RETRY_DELAYS_MS;
/** Events per `track` call to the worker. */
const DELIVERY_BATCH = 1000;

export type WorkerFactory = () => Worker;

type State = 'starting' | 'ready' | 'degraded' | 'closed';

/** One `track()` call whose events the engine has not stored yet: it settles when all are, or when they are given up. */
interface Ticket {
  left: number;
  resolve(): void;
  reject(error: LocalrankError): void;
}

interface Queued {
  event: StoredEvent;
  ticket: Ticket;
}

export class Client implements Personalizer {
  private worker: Worker | null = null;
  private remote: Remote<WorkerApi> | null = null;
  private state: State = 'starting';
  private lastFailure: LocalrankError | null = null;
  private starting: Promise<void> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private failures = 0;
  /**
   * Validated events not yet acknowledged by a worker, oldest first; re-sent after a restart (ids
   * make it idempotent). Never trimmed: a `track` that would overflow it is refused instead.
   */
  private unsent: Queued[] = [];
  private flushing: Promise<void> | null = null;
  private redeliveryTimer: ReturnType<typeof setTimeout> | null = null;
  private failedDeliveries = 0;
  private closing: Promise<void> | null = null;
  private readonly pending = new Set<(error: LocalrankError) => void>();
  private watchdog: ReturnType<typeof setInterval> | null = null;
  private pinging = false;
  private readonly listeners = new Set<(event: PersonalizerEvent) => void>();
  private readonly timeoutMs: number;
  /** This visitor's A/B arm, fixed for the page (see holdout.ts). */
  private readonly arm: Arm;
  /** Validates and packs candidates, keeping what each worker already holds. */
  private readonly packer = new CandidatePacker();
  /** Counts the workers started: what one worker holds, the next does not. */
  private generation = 0;
  /** Feature lists and values of `track` and `rerank` input cut to the limits (`info().diagnostics`). */
  private readonly cuts = cutCounter();
  /** Counts a cut and tells the page (`onFeaturesCut`), whose listener cannot break the call. */
  private readonly onCut: OnCut = (field, kind) => {
    this.cuts.onCut(field, kind);
    try {
      this.options.onFeaturesCut?.(field, kind);
    } catch {
      // the page's listener failing is no reason to refuse its input
    }
  };

  constructor(
    private readonly init: WorkerInit,
    private readonly options: PersonalizerOptions,
    private readonly createWorker: WorkerFactory,
  ) {
    installErrorTransfer();
    this.timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
    this.arm = armOf(options.holdout, init.namespace);
  }

  /** Starts the worker; resolves when it is ready or has failed (then retries in the background). */
  start(): Promise<void> {
    this.starting ??= this.boot().finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  private async boot(): Promise<void> {
    this.state = 'starting';
    this.generation++;
    try {
      const worker = this.createWorker();
      this.worker = worker;
      const died = new Promise<never>((_, reject) => {
        worker.addEventListener('error', (event) => {
          event.preventDefault();
          reject(new LocalrankError('WORKER_FAILED', `the worker failed: ${event.message || 'could not load'}`));
          this.onWorkerDeath();
        });
      });
      died.catch(() => undefined);
      this.remote = wrap<WorkerApi>(worker);
      const callbacks = proxy({
        progress: (p: Parameters<NonNullable<PersonalizerOptions['onProgress']>>[0]) => this.options.onProgress?.(p),
        trained: (report: TrainReport) => this.emit({ type: 'train', report }),
        recovered: (backend: BackendName) => this.emit({ type: 'recovered', backend }),
      });
      const info = await withTimeout(
        Promise.race([this.remote.init(this.init, callbacks), died]),
        this.options.timeoutMs ? Math.max(this.options.timeoutMs, DEFAULTS.initTimeoutMs) : DEFAULTS.initTimeoutMs,
        'starting the engine',
      );
      this.state = 'ready';
      this.failures = 0;
      this.lastFailure = null;
      this.emit({ type: 'recovered', backend: info.backend });
    } catch (error) {
      this.fail(toLocalrankError(error, 'WORKER_FAILED'));
      return;
    }
    // Events kept while the worker was away; a failure here (storage full) keeps them queued.
    await this.flushUnsent().catch(() => undefined);
  }

  private fail(error: LocalrankError): void {
    if (this.state === 'closed') return;
    this.lastFailure = error;
    this.state = 'degraded';
    this.teardownWorker(error);
    this.emit({ type: 'degraded', code: error.code, message: error.message });
    const delay = RETRY_DELAYS_MS[Math.min(this.failures, RETRY_DELAYS_MS.length - 1)];
    this.failures++;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.start();
    }, delay);
  }

  private onWorkerDeath(): void {
    if (this.state === 'ready') this.fail(new LocalrankError('WORKER_FAILED', 'the worker stopped'));
  }

  private teardownWorker(error: LocalrankError): void {
    for (const reject of this.pending) reject(error);
    this.pending.clear();
    this.stopWatchdog();
    this.remote?.[releaseProxy]();
    this.remote = null;
    this.worker?.terminate();
    this.worker = null;
  }

  /**
   * One call to the worker: settles on the answer, a timeout, or the worker's death (comlink
   * itself would wait forever). A timeout makes us check the worker is alive, and restart it if not.
   */
  private async call<T>(what: string, run: (remote: Remote<WorkerApi>) => Promise<T>, ms = this.timeoutMs): Promise<T> {
    if (this.state === 'closed') throw new LocalrankError('CLOSED', 'this personalizer was closed');
    if (this.state !== 'ready' || !this.remote) {
      throw this.lastFailure ?? new LocalrankError('WORKER_FAILED', 'the engine is still starting');
    }
    const remote = this.remote;
    let rejectPending!: (error: LocalrankError) => void;
    const aborted = new Promise<never>((_, reject) => {
      rejectPending = reject;
    });
    this.pending.add(rejectPending);
    this.startWatchdog();
    try {
      return await withTimeout(Promise.race([run(remote), aborted]), ms, what);
    } catch (error) {
      const typed = toLocalrankError(error, 'WORKER_FAILED');
      if (typed.code === 'TIMEOUT') void this.checkAlive(remote);
      throw typed;
    } finally {
      this.pending.delete(rejectPending);
      if (this.pending.size === 0) this.stopWatchdog();
    }
  }

  /**
   * While calls are pending, pings the worker: a worker that crashed, closed itself or spins in a
   * stuck kernel stops answering, and then every pending call settles and the worker restarts
   * within seconds, instead of when each call's own (up to 2 min) timeout runs out.
   */
  private startWatchdog(): void {
    if (this.watchdog) return;
    this.watchdog = setInterval(() => {
      const remote = this.remote;
      if (this.pinging || !remote || this.state !== 'ready') return;
      this.pinging = true;
      void this.checkAlive(remote).finally(() => {
        this.pinging = false;
      });
    }, PING_EVERY_MS);
  }

  private stopWatchdog(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
  }

  private async checkAlive(remote: Remote<WorkerApi>): Promise<void> {
    try {
      await withTimeout(remote.ping(), Math.max(this.timeoutMs, PING_TIMEOUT_MS), 'checking the worker');
    } catch {
      if (this.remote === remote) this.fail(new LocalrankError('WORKER_FAILED', 'the worker stopped answering'));
    }
  }

  /**
   * Resolves once every event of the call is stored; until then (a restart, failing storage) they
   * wait in the page. Rejects with a typed error when they never will be: bad input, a full queue
   * (`QUEUE_FULL`, nothing of the call kept), `close()` (`CLOSED`) or `forget()` (`FORGOTTEN`).
   */
  async track(events: TrackEvent | readonly TrackEvent[]): Promise<void> {
    const checked = checkTrackEvents(events, Date.now(), env.randomId, this.onCut);
    if (this.state === 'closed' || this.closing) throw new LocalrankError('CLOSED', 'this personalizer was closed');
    if (checked.length === 0) return;
    if (this.unsent.length + checked.length > LIMITS.maxQueuedEvents) {
      throw new LocalrankError(
        'QUEUE_FULL',
        `${this.unsent.length} events are already waiting to be stored (at most ${LIMITS.maxQueuedEvents}); none of these ${checked.length} was kept`,
      );
    }
    const stored = new Promise<void>((resolve, reject) => {
      const ticket: Ticket = { left: checked.length, resolve, reject };
      for (const event of checked) this.unsent.push({ event, ticket });
    });
    if (this.state === 'ready') void this.flushUnsent();
    return stored;
  }

  /** Delivers queued events; one delivery at a time, which picks up events queued meanwhile. */
  private flushUnsent(): Promise<void> {
    this.flushing ??= this.deliver().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  /** Never rejects: what cannot be delivered now stays queued for a retry or the next worker. */
  private async deliver(): Promise<void> {
    while (this.unsent.length > 0 && this.state === 'ready') {
      const batch = this.unsent.slice(0, DELIVERY_BATCH);
      try {
        await this.call('track', (remote) => remote.track(batch.map((q) => q.event)));
      } catch (error) {
        const typed = toLocalrankError(error, 'WORKER_FAILED');
        // The page validated these events: an input error here would refuse them on every retry.
        if (isInputError(typed)) {
          this.giveUp(batch, typed);
          continue;
        }
        this.redeliverLater();
        return;
      }
      this.failedDeliveries = 0;
      this.acknowledge(batch);
    }
  }

  /** Stored: these leave the queue (forget() may have taken them already) and their calls settle. */
  private acknowledge(batch: readonly Queued[]): void {
    const done = new Set(batch);
    this.unsent = this.unsent.filter((q) => !done.has(q));
    for (const { ticket } of batch) if (--ticket.left === 0) ticket.resolve();
  }

  /** These will never be stored: they leave the queue and their calls reject with `error`. */
  private giveUp(batch: readonly Queued[], error: LocalrankError): void {
    const gone = new Set(batch);
    this.unsent = this.unsent.filter((q) => !gone.has(q));
    for (const { ticket } of batch) ticket.reject(error);
  }

  /** The worker is up but storing failed (quota, a closed database): the queue waits, then tries again. */
  private redeliverLater(): void {
    if (this.state !== 'ready' || this.closing || this.redeliveryTimer) return;
    const delay = REDELIVERY_DELAYS_MS[Math.min(this.failedDeliveries, REDELIVERY_DELAYS_MS.length - 1)];
    this.failedDeliveries++;
    this.redeliveryTimer = setTimeout(() => {
      this.redeliveryTimer = null;
      void this.flushUnsent();
    }, delay);
  }

  async rerank(candidates: readonly Candidate[], options?: RerankOptions): Promise<RerankResult> {
    // The control arm never asks the engine: the server's order, the shop's rules, nothing else.
    if (this.arm === 'control') {
      const checked = checkCandidates(candidates, this.onCut);
      return serverOrderResult(checked, HOLDOUT, checkRerankOptions(options), 'control');
    }
    // From close() on, the server's order: the engine may answer until its worker is gone, but not to a call made after it.
    if (this.closing) return serverOrderResult(checkCandidates(candidates, this.onCut), CLOSED, checkRerankOptions(options), this.arm);
    // Validated and packed in one pass; features the worker already holds stay on the page.
    const generation = this.generation;
    const first = await this.packer.pack(candidates, generation, this.onCut);
    const opts = checkRerankOptions(options);
    const ids = first.ids;
    if (ids.length === 0) return { items: [], personalized: true, arm: this.arm, computeMs: 0 };
    try {
      let sent = first;
      let answer = this.post(sent, opts);
      if (!this.verified(sent)) {
        // The page changed a features object in place since the worker got it: ask again with the change.
        answer.catch(() => undefined);
        sent = await this.packer.pack(candidates, generation, this.onCut, false);
        answer = this.post(sent, opts);
      }
      let ranking = await answer;
      if (ranking.resend) {
        // The worker lost features it held (evicted, or wiped by forget()): send them all.
        this.packer.forgetSent();
        sent = await this.packer.pack(candidates, generation);
        ranking = await this.post(sent, opts);
      }
      if (generation === this.generation) this.packer.delivered(sent.receipt);
      const unpacking = performance.now();
      const result = unpackRanking(ids, ranking, this.arm);
      mainThread('localrank:unpack', unpacking, performance.now() - unpacking);
      return result;
    } catch (error) {
      const typed = toLocalrankError(error, 'WORKER_FAILED');
      if (isInputError(typed)) throw typed;
      return serverOrderResult(checkCandidates(candidates), { code: typed.code, message: typed.message }, opts, this.arm);
    }
  }

  /** `sent.verify()`, run while the worker ranks; its time counts as packing (`localrank:pack`). */
  private verified(sent: Packed): boolean {
    const start = performance.now();
    const held = sent.verify();
    mainThread('localrank:pack', start, performance.now() - start);
    return held;
  }

  /**
   * Posts a pack to the worker. Its main-thread time (the pack's slices and the posting, which
   * clones what is not transferred) is a user timing, `localrank:pack`, as the tag's reordering is.
   */
  private post(sent: Packed, options: RerankOptions): Promise<PackedRanking> {
    const posting = performance.now();
    const answer = this.call('rerank', (remote) => remote.rerank(transfer(sent.packed, sent.transfer), options));
    const postMs = performance.now() - posting;
    mainThread('localrank:pack', posting - sent.busyMs, sent.busyMs + postMs);
    return answer;
  }

  train(): Promise<TrainReport> {
    return this.call('train', (remote) => remote.train(), TRAIN_TIMEOUT_MS);
  }

  /** Never rejects: while the engine does not run, says so and what failed. */
  async info(): Promise<Info> {
    let failure = this.lastFailure;
    if (this.state === 'ready') {
      try {
        const info = await this.call('info', (remote) => remote.info());
        const diagnostics = info.diagnostics && { ...info.diagnostics, ...addCounts(info.diagnostics, this.cuts.counts) };
        return { ...info, state: 'ready', arm: this.arm, queuedEvents: this.unsent.length, diagnostics };
      } catch (error) {
        failure = toLocalrankError(error, 'WORKER_FAILED');
      }
    }
    return {
      state: this.state === 'ready' ? 'degraded' : this.state,
      arm: this.arm,
      failure: failure && { code: failure.code, message: failure.message },
      namespace: this.init.namespace,
      queuedEvents: this.unsent.length,
    };
  }

  async exportData(): Promise<ExportedData> {
    const data = await this.call('exportData', (remote) => remote.exportData(), Math.max(this.timeoutMs, 10_000));
    const bucket = storedBucket(this.init.namespace);
    return bucket === undefined ? data : { ...data, holdoutBucket: bucket };
  }

  /**
   * Works even with no worker: the database is then deleted from the page. Events tracked before
   * the call and not stored yet are erased too (their `track` rejects with `FORGOTTEN`); events
   * tracked after it are kept: the worker stores them once the wipe is done.
   */
  async forget(): Promise<void> {
    this.giveUp(this.unsent, new LocalrankError('FORGOTTEN', 'forget() erased these events before they were stored'));
    forgetBucket(this.init.namespace);
    if (this.state === 'ready') {
      try {
        await this.call('forget', (remote) => remote.forget(), Math.max(this.timeoutMs, 10_000));
        return;
      } catch {
        // fall through: delete the database directly
      }
    }
    await deleteDatabase(databaseName(this.init.namespace));
  }

  subscribe(listener: (event: PersonalizerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: PersonalizerEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // a listener's bug must not break the engine
      }
    }
  }

  /**
   * Stores what was tracked before the call (waiting at most `timeoutMs`), then stops the worker.
   * Events that could not be stored by then (no worker, failing storage) are given up: their
   * `track` rejects with `CLOSED`, never resolves.
   */
  close(): Promise<void> {
    if (this.state === 'closed') return Promise.resolve();
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.redeliveryTimer) clearTimeout(this.redeliveryTimer);
    if (this.state === 'ready') await withTimeout(this.flushUnsent(), this.timeoutMs, 'storing events before closing').catch(() => undefined);
    const remote = this.remote;
    if (remote && this.state === 'ready') await withTimeout(remote.close(), 2_000, 'close').catch(() => undefined);
    const closed = new LocalrankError('CLOSED', 'this personalizer was closed');
    this.state = 'closed';
    this.teardownWorker(closed);
    this.giveUp(this.unsent, closed);
    this.listeners.clear();
  }
}

/** The page's cuts added to the engine's (an engine driven only through the page has none of its own). */
function addCounts(engine: Partial<CutCounts>, page: CutCounts): CutCounts {
  return { truncatedLists: (engine.truncatedLists ?? 0) + page.truncatedLists, droppedValues: (engine.droppedValues ?? 0) + page.droppedValues };
}

const CLOSED: Fallback = { code: 'CLOSED', message: 'this personalizer was closed' };
const HOLDOUT: Fallback = { code: 'HOLDOUT', message: 'this visitor is in the control arm: the server\'s order, with the rules' };

/** A user timing of main-thread work, for performance tools and the benchmark; never throws. */
function mainThread(name: string, start: number, duration: number): void {
  try {
    performance.measure(name, { start, duration });
  } catch {
    // user timing unavailable (old browsers, Node): nothing to record
  }
}

function toLocalrankError(error: unknown, code: LocalrankError['code']): LocalrankError {
  if (error instanceof LocalrankError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new LocalrankError(code, message);
}
