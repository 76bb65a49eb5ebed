/**
 * One demo shop on the page: its catalogue and "server" (catalog.ts), its rows, and its own localrank
 * engine under its own namespace. The page holds one Shop per shop visited; the one on screen is
 * active and owns the shared parts of the page (status line, cart, panel), the others keep their
 * state, rows and engine as they were.
 */
import { createPersonalizer } from '../src/index';
import type { LoadProgress, Personalizer, TrackEvent } from '../src/shared/types';
import { ShopServer, loadJson, productFeatures, type Product } from './catalog';
import { scorerStateOf, type ScorerState } from './contributions';
import { marksFrom, type MarkEvent } from './marks';
import { ShopRows, type ShopView } from './shop-rows';
import type { ShopConfig } from './shops';
import { byId } from './ui/dom';
import type { Panel } from './ui/panel';
import { PanelFeed } from './ui/panel-feed';
import type { ShopAction } from './ui/tile';
import { announce } from './ui/toast';

/** Every row explains its moves: "Because you viewed …", and what each part of the ranking added. */
const RERANK_OPTIONS = { explain: true } as const;
const RERANK_DELAY_MS = 250;
/** How often to ask whether a loading scorer is ready. */
const SCORER_POLL_MS = 1000;
/** How soon the page asks again an engine that did not answer, ms. */
const INFO_RETRY_MS = 2000;
const ACTION_WORDS: Record<ShopAction, string> = { click: 'Viewed', add_to_cart: 'Added to cart', purchase: 'Bought' };

type PageState = 'loading' | 'ready' | 'fallback' | 'error';

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class Shop {
  /** This shop's rows; the page shows it while the shop is active. */
  readonly element: HTMLElement;
  readonly view: ShopView;
  private rows: ShopRows | null = null;
  private personalizer: Personalizer | null = null;
  /** Settles when the engine is up (or could not start): actions taken while it loads wait for it. */
  private engine: Promise<Personalizer | null> = Promise.resolve(null);
  private readonly feed: PanelFeed;
  private events: MarkEvent[] = [];
  private rerankTimer = 0;
  private scorerTimer = 0;
  private infoTimer = 0;
  private scorer: ScorerState | null = null;
  private generation = 0;
  private reranks = 0;
  private pendingAnnouncement = '';
  private state: PageState = 'loading';
  private status = 'Loading the on-device model…';
  private compare = false;
  private active = false;
  private opened: Promise<void> | null = null;

  constructor(
    readonly config: ShopConfig,
    panel: Panel,
    view: Partial<ShopView>,
  ) {
    this.feed = new PanelFeed(panel);
    this.view = { category: view.category ?? config.defaultCategory, query: view.query ?? '' };
    this.element = document.createElement('div');
    this.element.className = 'shop-shelves';
    this.element.dataset.shop = config.key;
    this.element.hidden = true;
    // The panel explains the tile the visitor tabs to or points at; only a pointer that moves, since
    // tiles sliding under a resting one (a reorder) must not take the panel.
    const follow = (target: EventTarget | null) => {
      if (this.rows?.follow(target)) this.showFocus();
    };
    this.element.addEventListener('focusin', (event) => follow(event.target));
    let at = '';
    this.element.addEventListener('pointermove', (event) => {
      const where = `${event.clientX},${event.clientY}`;
      if (where === at) return;
      at = where;
      follow(event.target);
    });
  }

  /** Loads the catalogue and starts the engine, once. */
  open(): Promise<void> {
    this.opened ??= this.load().catch((error: unknown) => {
      this.setState('error', `The shop could not open: ${messageOf(error)}`);
    });
    return this.opened;
  }

  /** Puts this shop on screen: its rows, and its state in the page's shared parts. */
  activate(): void {
    this.active = true;
    this.element.hidden = false;
    this.feed.attach();
    this.showPageState();
    this.updateMarks();
  }

  deactivate(): void {
    this.active = false;
    this.element.hidden = true;
    this.feed.detach();
  }

  setCompare(on: boolean): void {
    this.compare = on;
    this.rows?.setCompare(on);
  }

  /** The search row: the server's results for `query`, reranked; an empty query hides it. */
  runSearch(query: string): void {
    this.view.query = query;
    this.rows?.runSearch(query);
  }

  private async load(): Promise<void> {
    const json = await loadJson(new URL(this.config.catalogUrl, document.baseURI));
    const server = new ShopServer(this.config.parse(json));
    this.rows = new ShopRows(this.config, server, this.view, {
      onAction: (product, action, listId, position) => void this.track(product, action, listId, position),
      onNewList: () => this.scheduleRerank(),
      onCategory: (category) => {
        if (this.active) setUrlParam(this.config.categoryParam, category);
      },
    });
    this.rows.setCompare(this.compare);
    this.element.append(...this.rows.shelves.map((row) => row.element));
    this.engine = this.connect();
    this.personalizer = await this.engine;
    if (!this.personalizer) return;
    this.personalizer.subscribe((event) => {
      if (event.type === 'train') {
        this.feed.addTraining(event.report);
        void this.refreshInfo();
        if (event.report.kept) this.scheduleRerank('The model finished training on your activity');
      } else if (event.type === 'degraded') {
        this.say(`On-device engine degraded: ${event.message}. Showing the server's order where needed.`);
        void this.refreshInfo();
      } else {
        void this.refreshInfo().then((ok) => {
          if (!ok) return;
          this.setState('ready', this.config.readyText);
          this.scheduleRerank();
        });
      }
    });
    const ok = await this.refreshInfo();
    if (ok) {
      const exported = await this.personalizer.exportData().catch(() => ({ events: [] }));
      this.events = exported.events.map(({ type, itemId }) => ({ type, itemId }));
      this.updateMarks();
    }
    await this.rerankAll();
    if (ok) this.setState('ready', this.config.readyText);
  }

  private async connect(): Promise<Personalizer | null> {
    try {
      return await createPersonalizer({
        model: new URL('models/default/manifest.json', document.baseURI).href,
        namespace: this.config.namespace,
        onProgress: (progress) => this.showProgress(progress),
      });
    } catch (error) {
      this.showFallback(messageOf(error));
      return null;
    }
  }

  /**
   * Downloads while the shop starts (the manifest), and the scorer's part, which loads once the
   * visitor has interacted enough: the shop is ready meanwhile, and stays so.
   */
  private showProgress(progress: LoadProgress): void {
    if (progress.status !== 'progress' || progress.total <= 0) return;
    const percent = Math.round((100 * progress.loaded) / progress.total);
    if (this.state === 'loading') this.setState('loading', `Loading the on-device model… ${percent}%`);
    else if (this.state === 'ready') this.setState('ready', percent < 100 ? `${this.config.readyText} Loading the scorer… ${percent}%` : this.config.readyText);
  }

  /** The engine could not start: the shop still works, in the server's order. */
  private showFallback(message: string): void {
    this.feed.setUnavailable(message);
    this.setState('fallback', `The on-device model could not start (${message}). You see the server's order.`);
  }

  /** The engine started but does not answer now: the server's order until it does. */
  private showUnanswered(message: string): void {
    this.feed.setUnavailable(message);
    this.setState('fallback', `The on-device engine is not answering (${message}). You see the server's order until it does.`);
  }

  private setState(state: PageState, status: string): void {
    this.state = state;
    this.status = status;
    if (this.active) this.showPageState();
  }

  /** The page's shared parts that tell this shop's state (the tests wait on `body[data-state]`). */
  private showPageState(): void {
    const body = document.body.dataset;
    body.state = this.state;
    body.reranks = String(this.reranks);
    byId('load-status').textContent = this.status;
  }

  /** Announces only for the shop on screen: a shop in the background trains silently. */
  private say(message: string): void {
    if (this.active) announce(message);
  }

  async track(product: Product, action: ShopAction, listId: string, position: number): Promise<void> {
    const event: TrackEvent = { type: action, itemId: product.id, listId, position, features: productFeatures(product) };
    const personalizer = await this.engine;
    if (!personalizer) return;
    try {
      await personalizer.track(event);
    } catch (error) {
      this.say(`Could not record that: ${messageOf(error)}`);
      return;
    }
    this.events.push({ type: action, itemId: product.id });
    this.updateMarks();
    this.say(`${ACTION_WORDS[action]}: ${product.title}. Stored on this device only.`);
    void this.refreshInfo();
    this.scheduleRerank('Rows updated from your activity');
  }

  private updateMarks(): void {
    const marks = marksFrom(this.events);
    this.rows?.setMarks(marks);
    if (this.active) byId('cart-count').textContent = String(marks.inCart.size);
  }

  private scheduleRerank(announcement = ''): void {
    if (announcement) this.pendingAnnouncement = announcement;
    clearTimeout(this.rerankTimer);
    this.rerankTimer = window.setTimeout(() => void this.rerankAll(), RERANK_DELAY_MS);
  }

  private async rerankAll(): Promise<void> {
    const personalizer = this.personalizer;
    if (!personalizer) return;
    const generation = ++this.generation;
    const visible = this.rows?.visible() ?? [];
    const results = await Promise.all(
      visible.map(async (shelf) => {
        const started = performance.now();
        const result = await personalizer.rerank(shelf.candidates(), RERANK_OPTIONS);
        return { shelf, listId: shelf.listId, result, pageMs: performance.now() - started };
      }),
    );
    // A newer rerank (or a new server list) supersedes this one.
    if (generation !== this.generation) return;
    let moved = 0;
    for (const { shelf, listId, result, pageMs } of results) {
      if (shelf.listId !== listId) continue;
      moved += shelf.applyRanking(result);
      if (result.personalized) this.feed.addLatency(pageMs, result.computeMs);
    }
    this.reranks = generation;
    if (this.active) document.body.dataset.reranks = String(generation);
    this.showFocus();
    if (this.pendingAnnouncement && moved > 0) {
      const noun = moved === 1 ? this.config.noun.one : this.config.noun.many;
      this.say(`${this.pendingAnnouncement}: ${moved} ${noun} moved up.`);
    }
    this.pendingAnnouncement = '';
  }

  private showFocus(): void {
    this.feed.setFocus(this.rows?.focusView() ?? null);
  }

  /**
   * Shows the engine's state; false when the engine cannot answer (then the page shows why). Not
   * answering can pass (a worker busy starting the scorer on a slow device, a restart): the page
   * looks again, and is ready again once the engine answers.
   */
  private async refreshInfo(): Promise<boolean> {
    if (!this.personalizer) return false;
    const info = await this.personalizer.info();
    clearTimeout(this.infoTimer);
    if (info.state !== 'ready') {
      this.showUnanswered(info.failure?.message ?? `the engine is ${info.state}`);
      if (info.state !== 'closed') this.infoTimer = window.setTimeout(() => void this.refreshInfo(), INFO_RETRY_MS);
      return false;
    }
    if (this.state === 'fallback') {
      this.setState('ready', this.config.readyText);
      this.scheduleRerank();
    }
    const scorer = scorerStateOf(info);
    // The scorer's part of each score is 0 until it has loaded: rerank once it has.
    if (this.scorer !== null && this.scorer !== 'ready' && scorer === 'ready') this.scheduleRerank();
    this.scorer = scorer;
    clearTimeout(this.scorerTimer);
    // It starts loading behind a personalised rerank, once the visitor has enough interactions: watch
    // for that while the visitor has any.
    const coming = scorer === 'loading' || (scorer === 'none' && (info.events ?? 0) > 0);
    if (coming) this.scorerTimer = window.setTimeout(() => void this.refreshInfo(), SCORER_POLL_MS);
    this.feed.setInfo(info, scorer);
    return true;
  }

  async trainNow(): Promise<void> {
    if (!this.personalizer) return;
    const report = await this.personalizer.train();
    this.feed.addTraining(report);
    this.say(`Training ${report.kept ? 'kept' : 'discarded'}: ${report.reason}.`);
    if (report.kept) this.scheduleRerank('Rows updated after training');
    await this.refreshInfo();
  }

  async exportData(): Promise<void> {
    if (!this.personalizer) return;
    const data = await this.personalizer.exportData();
    const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = `localrank-${this.config.namespace}-${new Date(data.exportedAt).toISOString().slice(0, 10)}.json`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    this.say(`Exported ${data.events.length} events and ${data.weights ? 'your fine-tuned weights' : 'no fine-tuned weights'}.`);
  }

  async forget(): Promise<void> {
    if (!this.personalizer) return;
    await this.personalizer.forget();
    this.events = [];
    this.updateMarks();
    this.feed.clearTraining();
    await this.refreshInfo();
    this.say(`Everything localrank stored about you in ${this.config.name} was deleted from this device.`);
    this.scheduleRerank();
  }
}

export function setUrlParam(name: string, value: string): void {
  const url = new URL(location.href);
  if (value) url.searchParams.set(name, value);
  else url.searchParams.delete(name);
  history.replaceState(history.state, '', url);
}
