/**
 * Rerankable lists (`data-lr-rerank` on the element whose children are the tiles): when each is
 * reordered, put back as the visitor saw it, or left alone.
 *
 * A list is handled whenever its tiles change, however the page made them: rendered by the
 * server, rendered by a script into an existing container, re-rendered by a framework (the same
 * container, new children or patched ids), grown by infinite scroll; and on `localrank('refresh')`.
 * The engine's order is applied around what the visitor sees (reorder.ts). Each order applied is
 * remembered for the list on this history entry (saved-orders.ts): when the list is rendered again
 * there (back/forward without the back/forward cache, a single-page app going back), the same order
 * is put back at once, before it is painted, and the engine is not asked.
 *
 * The shop's rules (rules-markup.ts, and those of `init`'s `rerank` options) hold whatever the
 * engine does: a list with rules is put in the rules' order of the server's order before the engine
 * is up (at once when it is not painted yet), and the engine's answers respect them too. Tiles a
 * rule excludes are hidden (`hidden`, `data-lr-excluded`).
 *
 * Tiles without a usable id, and the later of two tiles with one id, stay where they are; the rest
 * of the list is reordered around them. After each attempt the list dispatches `localrank:reranked`.
 */
import type { Arm, Candidate, RerankOptions, RerankResult } from '../shared/types';
import { hasRules } from '../worker/ranking/rules';
import { RERANKABLE, type Tile } from './dom';
import type { Problem } from './markup';
import { listRules } from './rules-markup';
import { applyOrder, measure, pinsOf, planOrder, reducedMotion, RERANKED_EVENT, tileOf, unitsOf, type PinRules, type RerankedDetail } from './reorder';
import type { SavedOrders } from './saved-orders';

export interface ListEnv {
  /** Reads a tile (telling the shop about its problems); null without a usable id. */
  tile(el: Element): Tile | null;
  seen(tile: Element): boolean;
  report(el: Element, problems: Problem[], context: { itemId?: string; listId?: string }): void;
  rerank(candidates: Candidate[], options?: RerankOptions): Promise<RerankResult>;
  /** The server's order with the rules, without the engine. */
  ruled(candidates: Candidate[], options: RerankOptions): RerankResult;
  options(): RerankOptions | undefined;
  /** A marked list is on this page view (the holdout's exposure). */
  exposed(listId: string | undefined): void;
  /** This visitor's A/B arm. */
  arm(): Arm;
  /** The engine personalises now. */
  healthy(): boolean;
  /** Where orders are remembered; null without consent. */
  saved(): SavedOrders | null;
  /** The key of this page's history entry (the list id is added). */
  page(): string;
  quiet(moves: () => void): void;
}

interface Entry {
  unit: Element;
  tile: Tile;
}

interface ListState {
  /** The arrangement last handled: the units in DOM order, and their ids as written. */
  units: Element[];
  ids: string;
  running: boolean;
  /** The page changed the list while it was being handled. */
  dirty: boolean;
  /** A refresh was asked for while it was being handled: rank it again even if unchanged. */
  forced: boolean;
  /** The arrangement was handled without the engine (the rules only): the engine still ranks it. */
  local: boolean;
  /** How the run asked for while this one was running handles it (see `run`'s `local`). */
  nextLocal: boolean | undefined;
}

/** The entries in the server's order: by recorded position, else as they appear. */
function serverOrder(entries: Entry[]): Entry[] {
  return entries
    .map((entry, i) => ({ entry, at: entry.tile.position ?? i, i }))
    .sort((a, b) => a.at - b.at || a.i - b.i)
    .map(({ entry }) => entry);
}

export class Lists {
  private readonly states = new WeakMap<Element, ListState>();

  constructor(
    private readonly doc: Document,
    private readonly env: ListEnv,
  ) {}

  private state(container: Element): ListState {
    let state = this.states.get(container);
    if (!state) this.states.set(container, (state = { units: [], ids: '', running: false, dirty: false, forced: false, local: false, nextLocal: undefined }));
    return state;
  }

  private listId(container: Element): string | undefined {
    return container.getAttribute('data-lr-list')?.trim() || undefined;
  }

  /** The units with a usable, unique id, in DOM order. */
  private read(container: Element): Entry[] {
    const read: Entry[] = [];
    for (const unit of unitsOf(container)) {
      const tile = this.env.tile(tileOf(unit));
      if (tile) read.push({ unit, tile });
    }
    // Of two tiles with one id, the server's first keeps it, wherever a reorder has put them since.
    const first = new Map<string, Entry>();
    for (const entry of serverOrder(read)) {
      const kept = first.get(entry.tile.id);
      if (!kept) first.set(entry.tile.id, entry);
      else this.env.report(tileOf(entry.unit), [{ code: 'DUPLICATE_ID', attribute: 'data-lr-item' }], { itemId: entry.tile.id, listId: entry.tile.listId });
    }
    return read.filter((entry) => first.get(entry.tile.id) === entry);
  }

  /** The list's arrangement: its units in DOM order and their tiles' ids as written (cheap to compare). */
  private arrangement(container: Element): { units: Element[]; ids: string } {
    const units = unitsOf(container);
    return { units, ids: units.map((unit) => tileOf(unit).getAttribute('data-lr-item')).join('\n') };
  }

  private remember(state: ListState, container: Element): void {
    Object.assign(state, this.arrangement(container));
  }

  private unchanged(state: ListState, container: Element): boolean {
    const { units, ids } = this.arrangement(container);
    return units.length === state.units.length && units.every((unit, i) => unit === state.units[i]) && ids === state.ids;
  }

  /** Reads every rerankable list, so that `diagnose` knows about duplicate ids and bad rules. */
  inspect(): void {
    for (const container of this.doc.querySelectorAll(RERANKABLE)) this.optionsFor(container, this.read(container));
  }

  /** The options of a list: the page's, with the rules its markup declares (reported when they do not read). */
  private optionsFor(container: Element, entries: Entry[]): RerankOptions {
    const problems: Problem[] = [];
    const pins = entries.filter((e) => e.tile.pin !== undefined).map((e): [string, number] => [e.tile.id, e.tile.pin!]);
    const rules = listRules(container, pins, problems);
    this.env.report(container, problems, { listId: this.listId(container) });
    return { ...this.env.options(), ...rules };
  }

  private candidates(entries: Entry[]): Candidate[] {
    return entries.map(({ tile }) => ({ id: tile.id, features: tile.features, score: tile.score }));
  }

  private key(container: Element): string {
    const index = Array.from(this.doc.querySelectorAll(RERANKABLE)).indexOf(container);
    return `${this.env.page()} ${this.listId(container) ?? `#${index}`}`;
  }

  /**
   * The page rendered or changed the list. `unpainted`: it has not been painted since (a change seen
   * by the MutationObserver, or a page not painted yet), so it may be put back in the order saved for
   * it; else it is ranked once the engine is ready.
   */
  changed(container: HTMLElement, unpainted: boolean): void {
    const state = this.state(container);
    this.env.exposed(this.listId(container));
    // Changes inside tiles (a price, a countdown) leave the arrangement as it was: nothing to do.
    if (this.unchanged(state, container)) return;
    if (state.running) {
      state.dirty = true;
      state.nextLocal = this.env.healthy() ? undefined : unpainted;
      return;
    }
    const entries = this.read(container);
    const handled = new Set(state.units);
    if (this.restore(container, entries, (unit) => !handled.has(unit) && (unpainted || !reducedMotion(this.doc.defaultView)))) {
      // Restored at once: what is in the DOM now is handled.
      this.remember(state, container);
      return;
    }
    if (this.env.healthy()) void this.run(container);
    else void this.run(container, false, unpainted);
  }

  /** Reranks every list not handled in its current arrangement, or all of them (`force`) within `scope`. */
  runAll(force = false, scope?: Element): void {
    const all = Array.from(this.doc.querySelectorAll<HTMLElement>(RERANKABLE));
    for (const container of all) {
      if (!scope || scope.contains(container) || container.contains(scope)) void this.run(container, force);
    }
  }

  /** Puts back the order saved for this list when the list is (the start of) the one saved. */
  private restore(container: HTMLElement, entries: Entry[], unpainted: (unit: Element) => boolean): boolean {
    const saved = this.env.saved()?.get(this.key(container));
    const server = serverOrder(entries).map((e) => e.tile.id);
    if (!saved || server.length < 2 || server.some((id, i) => saved.server[i] !== id)) return false;
    const rank = new Map(saved.order.map((id, i) => [id, i]));
    // Tiles a rule excludes stay hidden (they may have been rendered again).
    const options = this.optionsFor(container, entries);
    const excluded = hasRules(options) ? this.env.ruled(this.candidates(serverOrder(entries)), options).excluded?.map((e) => e.id) : undefined;
    const last = server.length;
    const ranked = [...server].filter((id) => !excluded?.includes(id)).sort((a, b) => (rank.get(a) ?? last) - (rank.get(b) ?? last));
    const rules: PinRules = { free: false, seen: (tile) => this.env.seen(tile), unpainted };
    void this.apply(container, this.state(container), entries, server, ranked, rules, true, false, new Set(excluded)).then((detail) =>
      this.dispatch(container, { ...detail!, personalized: true, restored: true, arm: this.env.arm() }),
    );
    return true;
  }

  /**
   * Ranks the list and applies the answer. `local`: the engine is not up, so only the rules apply
   * (nothing to do without any), at once when the list is not painted yet (`local === true`).
   */
  private async run(container: HTMLElement, force = false, local?: boolean): Promise<void> {
    const state = this.state(container);
    if (state.running) {
      // Asked again while running: only a change of the list, a refresh, or the engine arriving after
      // a rules-only run is worth another; else the answer on its way stands.
      if (force || (local === undefined && state.local) || !this.unchanged(state, container)) {
        state.dirty = true;
        state.forced ||= force;
        state.nextLocal = local;
      }
      return;
    }
    state.running = true;
    try {
      for (let again = false; ; again = true) {
        if (again && !state.dirty) break;
        if (again) local = state.nextLocal;
        state.dirty = false;
        const start = performance.now();
        if (!force && !state.forced && this.unchanged(state, container) && !(local === undefined && state.local)) break;
        force = false;
        state.forced = false;
        state.local = local !== undefined;
        const entries = this.read(container);
        this.remember(state, container);
        if (entries.length < 2) break;
        const server = serverOrder(entries);
        const options = this.optionsFor(container, entries);
        const ruled = hasRules(options);
        if (local !== undefined && !ruled) break;
        const candidates = this.candidates(server);
        const pending = local === undefined ? this.env.rerank(candidates, options) : Promise.resolve(this.env.ruled(candidates, options));
        measure(start);
        const result = await pending;
        if (state.dirty || !container.isConnected) continue;
        const ids = server.map((e) => e.tile.id);
        const ranked = result.items.map((item) => item.id);
        const excluded = new Set(result.excluded?.map((e) => e.id));
        const known = new Set(ids);
        const all = [...ranked, ...excluded];
        const permutation = all.length === ids.length && new Set(all).size === ids.length && all.every((id) => known.has(id));
        const animate = container.getAttribute('data-lr-rerank') === 'animate' && !reducedMotion(this.doc.defaultView);
        const pins: PinRules = { free: animate, seen: (tile) => this.env.seen(tile), unpainted: () => local === true };
        // The server's order is applied only for the rules; a failure otherwise leaves the list as it is.
        const detail = (result.personalized || ruled) && permutation
          ? await this.apply(container, state, entries, ids, ranked, pins, local === true, animate, excluded)
          : { order: entries.map((e) => e.tile.id), moved: 0, pinned: 0 };
        if (!detail) continue;
        this.remember(state, container);
        if (detail.moved && result.personalized) this.env.saved()?.save(this.key(container), { server: ids, order: detail.order });
        const scored = result.items.filter((item) => item.modelScore !== null).map((item) => item.id);
        const extra = { ...(excluded.size ? { excluded: [...excluded] } : {}), ...(scored.length ? { modelScored: scored } : {}) };
        this.dispatch(container, { ...detail, serverOrder: ids, personalized: result.personalized, fallback: result.fallback, arm: result.arm, ...extra });
      }
    } finally {
      state.running = false;
    }
  }

  /**
   * Moves the entries into `ranked` around the pinned ones, and hides the `excluded` ones (which
   * keep their place); null when the page changed the list first.
   */
  private async apply(
    container: HTMLElement,
    state: ListState,
    entries: Entry[],
    server: string[],
    ranked: string[],
    rules: PinRules,
    now: boolean,
    glide = false,
    excluded: ReadonlySet<string> = new Set(),
  ): Promise<Omit<RerankedDetail, 'personalized' | 'arm'> | null> {
    const byId = new Map(entries.map((e) => [e.tile.id, e.unit]));
    const idOf = new Map(entries.map((e) => [e.unit, e.tile.id]));
    const before = unitsOf(container).filter((unit) => idOf.has(unit));
    this.env.quiet(() => {
      for (const [unit, id] of idOf) {
        if (excluded.has(id)) {
          unit.setAttribute('data-lr-excluded', '');
          unit.setAttribute('hidden', '');
        } else if (unit.hasAttribute('data-lr-excluded')) {
          unit.removeAttribute('data-lr-excluded');
          unit.removeAttribute('hidden');
        }
      }
    });
    const pinned = await applyOrder(container, {
      plan: () => {
        const units = unitsOf(container).filter((unit) => idOf.has(unit));
        const pins = pinsOf(units, rules).map((pin, i) => pin || excluded.has(idOf.get(units[i]!)!));
        const next = planOrder(units.map((unit) => idOf.get(unit)!), ranked, pins).map((id) => byId.get(id)!);
        return { units, next, pinned: pins };
      },
      now,
      glide,
      stale: () => state.dirty,
      // The arrangement our moves make is handled: only the page's own changes count as changes.
      quiet: (moves) =>
        this.env.quiet(() => {
          moves();
          this.remember(state, container);
        }),
    });
    if (!pinned) return null;
    const after = unitsOf(container).filter((unit) => idOf.has(unit));
    const moved = after.filter((unit, i) => unit !== before[i]).length;
    if (moved) container.setAttribute('data-lr-reranked', '');
    const shown = after.map((unit) => idOf.get(unit)!).filter((id) => !excluded.has(id));
    return {
      listId: this.listId(container),
      serverOrder: server,
      order: shown,
      moved,
      // Hidden tiles hold their place too, but are not counted.
      pinned: pinned.filter(Boolean).length - (after.length - shown.length),
    };
  }

  private dispatch(container: HTMLElement, detail: RerankedDetail): void {
    container.dispatchEvent(new CustomEvent(RERANKED_EVENT, { bubbles: true, detail: { listId: this.listId(container), ...detail } }));
  }
}
