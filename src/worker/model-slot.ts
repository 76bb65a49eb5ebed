/**
 * Where the engine keeps the model part (model/part.ts: TensorFlow.js, the weights, the towers)
 * and its state: `none` (not loaded: not needed so far, or off), `loading`, `ready`, `failed`.
 * The engine ranks from the taste and the head whatever the state; the model adds its term once
 * `ready`. A load that failed is tried again when the model is next wanted, after 2 s, 10 s, 1 min,
 * then every 5 min; one whose GPU was lost for good stays `failed`.
 */
import { isErrorCode, type Fallback } from '../shared/errors';
import type { ModelState } from '../shared/types';
import type { ModelPart } from './model/contract';

const RETRY_DELAYS_MS = [2_000, 10_000, 60_000, 300_000];

export class ModelSlot {
  private state: ModelState;
  private current: ModelPart | null;
  private failure: Fallback | null = null;
  private failures = 0;
  private retryAt = 0;
  private loading: Promise<void> | null = null;
  private closed = false;

  /**
   * `load`: imports and loads the part (null: no model part may load here). `ready`: a part already
   * loaded (Node: the evaluation and tests hand one in).
   */
  constructor(
    private readonly load: (() => Promise<ModelPart>) | null,
    private readonly now: () => number,
    ready?: ModelPart,
  ) {
    this.current = ready ?? null;
    this.state = ready ? 'ready' : 'none';
  }

  /** The part, once it is ready. */
  get part(): ModelPart | null {
    return this.state === 'ready' ? this.current : null;
  }

  /** The state, and why it failed when it did. */
  status(): { model: ModelState; modelFailure?: Fallback } {
    return this.failure && this.state === 'failed' ? { model: this.state, modelFailure: this.failure } : { model: this.state };
  }

  /** Whether loading could start now: not loaded, not loading, not off, and past a failure's back-off. */
  wanted(): boolean {
    if (!this.load || this.closed || this.loading || this.state === 'ready') return false;
    return this.state !== 'failed' || (this.failures > 0 && this.now() >= this.retryAt);
  }

  /** Starts loading when `wanted()`; resolves when this load has settled (never rejects). */
  request(): Promise<void> {
    if (!this.wanted()) return this.loading ?? Promise.resolve();
    this.state = 'loading';
    this.loading = this.run().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  private async run(): Promise<void> {
    try {
      const part = await this.load!();
      if (this.closed) {
        part.dispose();
        return;
      }
      this.current = part;
      this.state = 'ready';
      this.failure = null;
      this.failures = 0;
    } catch (error) {
      this.fail(failureOf(error));
      this.retryAt = this.now() + RETRY_DELAYS_MS[Math.min(this.failures, RETRY_DELAYS_MS.length - 1)];
      this.failures++;
    }
  }

  /** The part's GPU was lost and no other backend could take over: no retry brings it back. */
  lost(failure: Fallback): void {
    this.current?.dispose();
    this.current = null;
    this.failures = 0;
    this.fail(failure);
  }

  private fail(failure: Fallback): void {
    this.state = 'failed';
    this.failure = failure;
  }

  /** Waits for a load in progress, then releases the part. */
  async close(): Promise<void> {
    this.closed = true;
    await this.loading;
    this.current?.dispose();
    this.current = null;
  }
}

/**
 * A failure as the page sees it. The part is its own chunk with its own copy of `LocalrankError`,
 * so its errors are read by their `code`, not their class.
 */
function failureOf(error: unknown): Fallback {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return { code: isErrorCode(code) ? code : 'MODEL_LOAD_FAILED', message: isErrorCode(code) ? message : `the model part could not load: ${message}` };
}
