import type { TrackEvent } from '../shared/types';

type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/**
 * Events the engine has not acknowledged when the page goes away (typically the click on a product
 * link), kept in sessionStorage for the next page of the same tab, which takes them and sends them.
 * Storage that is missing, full or blocked only means those events are lost.
 */
export class Outbox {
  constructor(
    private readonly storage: KeyValueStorage | null,
    private readonly key: () => string,
  ) {}

  save(events: readonly TrackEvent[]): void {
    try {
      if (events.length) this.storage?.setItem(this.key(), JSON.stringify(events));
      else this.storage?.removeItem(this.key());
    } catch {
      // full or blocked: the events are lost, the page is unaffected
    }
  }

  /** Removes and returns what a previous page kept (not validated: they go through `record`). */
  take(): unknown[] {
    let raw: string | null;
    try {
      raw = this.storage?.getItem(this.key()) ?? null;
    } catch {
      return [];
    }
    if (raw === null) return [];
    this.clear();
    try {
      const events: unknown = JSON.parse(raw);
      return Array.isArray(events) ? events : [];
    } catch {
      return [];
    }
  }

  clear(): void {
    try {
      this.storage?.removeItem(this.key());
    } catch {
      // nothing was kept
    }
  }
}
