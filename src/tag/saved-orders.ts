type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** Lists remembered per tab; the least recently saved go first. */
export const MAX_SAVED_LISTS = 20;
/** Longer lists are not remembered. */
export const MAX_SAVED_TILES = 2000;

export interface SavedOrder {
  /** Item ids in the server's order. */
  server: string[];
  /** The same ids in the order the visitor saw. */
  order: string[];
}

/** `[key, server ids, the order as indices into them]`, compact in storage. */
type Entry = [string, string[], number[]];

/**
 * The order a visitor saw in each reordered list, kept in sessionStorage (one key per namespace) so
 * that coming back to the page (back/forward without the back/forward cache, or a single-page app
 * rendering the list again) shows the same order, not the server's. Only written with consent;
 * storage that is missing, full or blocked only means the order is not remembered.
 */
export class SavedOrders {
  constructor(
    private readonly storage: KeyValueStorage | null,
    private readonly key: () => string,
  ) {}

  private read(): Entry[] {
    try {
      const entries: unknown = JSON.parse(this.storage?.getItem(this.key()) ?? '[]');
      return Array.isArray(entries) ? (entries as Entry[]) : [];
    } catch {
      return [];
    }
  }

  get(list: string): SavedOrder | null {
    const entry = this.read().find((e) => Array.isArray(e) && e[0] === list);
    if (!entry || !Array.isArray(entry[1]) || !Array.isArray(entry[2])) return null;
    const [, server, order] = entry;
    const ids = order.map((i) => server[i]);
    if (ids.length !== server.length || ids.some((id) => typeof id !== 'string')) return null;
    return { server, order: ids as string[] };
  }

  save(list: string, { server, order }: SavedOrder): void {
    if (server.length > MAX_SAVED_TILES) return;
    const index = new Map(server.map((id, i) => [id, i]));
    const entries = this.read().filter((e) => e[0] !== list);
    entries.push([list, server, order.map((id) => index.get(id)!)]);
    try {
      this.storage?.setItem(this.key(), JSON.stringify(entries.slice(-MAX_SAVED_LISTS)));
    } catch {
      // full or blocked: the order is not remembered
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
