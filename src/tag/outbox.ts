import type { TrackEvent } from '../shared/types';

type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** An event of the page kept whole up to this size; one beyond it would crowd out the others. */
const MAX_EVENT_CHARS = 4096;

/**
 * Events the engine has not acknowledged when the page goes away (typically the click on a product
 * link), kept in sessionStorage for the next page of the same tab, which takes them and sends them.
 * Each event is serialised on its own: one that cannot be (cyclic or BigInt features, a throwing
 * getter) is left out, and the others are kept. Storage that is missing, full or blocked only
 * means those events are lost.
 */
export class Outbox {
  constructor(
    private readonly storage: KeyValueStorage | null,
    private readonly key: () => string,
  ) {}

  save(events: readonly TrackEvent[]): void {
    const kept: string[] = [];
    for (const event of events) {
      const json = serialise(event);
      if (json !== undefined) kept.push(json);
    }
    try {
      if (kept.length === 0) this.storage?.removeItem(this.key());
      else this.write(kept);
    } catch {
      // full or blocked: the events are lost, the page is unaffected
    }
  }

  private write(events: readonly string[]): void {
    try {
      this.storage?.setItem(this.key(), `[${events.join(',')}]`);
    } catch {
      // Full: an oversized event must not cost the small ones (clicks and views are a few hundred bytes).
      this.storage?.setItem(this.key(), `[${events.filter((json) => json.length <= MAX_EVENT_CHARS).join(',')}]`);
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

/** The event as JSON, or undefined when it cannot be written (cycles, BigInt, throwing getters). */
function serialise(event: TrackEvent): string | undefined {
  try {
    const json = JSON.stringify(event);
    return typeof json === 'string' && json.startsWith('{') ? json : undefined;
  } catch {
    return undefined;
  }
}
