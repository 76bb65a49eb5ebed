/**
 * The localrank demo: two shops on one page, chosen in the header and named in the URL (`?shop=`).
 * Reelhouse sells films, a catalogue the bundled model was trained on; Trailhead sells sports and
 * outdoor gear, which it never saw. Each shop's "server" (catalog.ts) sends popularity-ordered
 * candidate lists; localrank reorders them in a Web Worker from interactions stored on this device,
 * under the shop's own namespace (shop.ts). A shop, once opened, keeps its rows and engine while the
 * other is on screen.
 */
import { installNetworkWatch } from './network-watch';
import { SHOPS, shopFromUrl, type ShopKey } from './shops';
import { Shop, messageOf, setUrlParam } from './shop';
import { byId } from './ui/dom';
import { Panel } from './ui/panel';
import { announce } from './ui/toast';

// First, before any request of ours: every request from now on is observed.
const watch = installNetworkWatch();

const SEARCH_DELAY_MS = 200;

class Demo {
  private readonly shops = new Map<ShopKey, Shop>();
  private active: Shop | null = null;
  private compare = false;

  constructor(private readonly panel: Panel) {}

  /** Shows a shop, opening it the first time; `push` adds a history entry (a switch by the visitor). */
  async show(key: ShopKey, push: boolean): Promise<void> {
    const shop = this.shopFor(key);
    if (this.active !== shop) {
      this.active?.deactivate();
      this.active = shop;
      this.describe(shop);
      shop.activate();
      this.writeUrl(shop, push);
    }
    await shop.open();
  }

  bind(): void {
    for (const link of document.querySelectorAll<HTMLAnchorElement>('#shop-switch a[data-shop]')) {
      link.addEventListener('click', (event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        void this.show(link.dataset.shop as ShopKey, true);
      });
    }
    addEventListener('popstate', () => void this.show(shopFromUrl(location.search), false));

    const input = byId<HTMLInputElement>('search-input');
    let searchTimer = 0;
    const runSearch = () => {
      const query = input.value.trim();
      setUrlParam('q', query);
      this.active?.runSearch(query);
    };
    input.addEventListener('input', () => {
      clearTimeout(searchTimer);
      searchTimer = window.setTimeout(runSearch, SEARCH_DELAY_MS);
    });
    byId('search-form').addEventListener('submit', (event) => {
      event.preventDefault();
      clearTimeout(searchTimer);
      runSearch();
    });

    const compare = byId('compare-toggle');
    compare.addEventListener('click', () => {
      this.compare = compare.getAttribute('aria-checked') !== 'true';
      compare.setAttribute('aria-checked', String(this.compare));
      for (const shop of this.shops.values()) shop.setCompare(this.compare);
    });

    const safely = (action: (shop: Shop) => Promise<void>) => () => {
      if (!this.active) return;
      void action(this.active).catch((error: unknown) => announce(`That did not work: ${messageOf(error)}`));
    };
    const train = byId<HTMLButtonElement>('train-now');
    train.addEventListener(
      'click',
      safely(async (shop) => {
        train.disabled = true;
        try {
          await shop.trainNow();
        } finally {
          train.disabled = false;
        }
      }),
    );
    byId('export-data').addEventListener('click', safely((shop) => shop.exportData()));
    byId('forget-me').addEventListener('click', safely((shop) => shop.forget()));
  }

  private shopFor(key: ShopKey): Shop {
    let shop = this.shops.get(key);
    if (!shop) {
      const config = SHOPS[key];
      // The URL's view (category, search) belongs to the shop it names.
      const params = new URLSearchParams(location.search);
      const fromUrl = shopFromUrl(location.search) === key;
      shop = new Shop(config, this.panel, {
        category: (fromUrl && params.get(config.categoryParam)) || undefined,
        query: (fromUrl && params.get('q')) || undefined,
      });
      shop.setCompare(this.compare);
      byId('shelf-list').append(shop.element);
      this.shops.set(key, shop);
    }
    return shop;
  }

  /** The page's words for the shop on screen. */
  private describe(shop: Shop): void {
    const { config } = shop;
    document.title = `${config.name} · localrank demo: on-device personalization`;
    document.body.dataset.shop = config.key;
    byId('brand-name').textContent = config.name;
    byId('brand-tagline').textContent = `${config.tagline} · localrank demo`;
    byId('shop-note').textContent = config.note;
    byId('credits').textContent = config.credits;
    byId('skip-link').textContent = `Skip to the ${config.noun.many}`;
    byId('shelves').setAttribute('aria-label', config.noun.many.replace(/^./, (c) => c.toUpperCase()));
    byId('search-label').textContent = config.searchLabel;
    const input = byId<HTMLInputElement>('search-input');
    input.placeholder = config.searchPlaceholder;
    input.value = shop.view.query;
    for (const link of document.querySelectorAll<HTMLAnchorElement>('#shop-switch a[data-shop]')) {
      if (link.dataset.shop === config.key) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
  }

  /** The URL names the shop and its view, so a reload or a shared link opens the same page. */
  private writeUrl(shop: Shop, push: boolean): void {
    const { config, view } = shop;
    const url = new URL(location.href);
    const named = url.searchParams.has('shop');
    for (const { categoryParam } of Object.values(SHOPS)) url.searchParams.delete(categoryParam);
    url.searchParams.delete('q');
    if (named || push) url.searchParams.set('shop', config.key);
    if (view.category !== config.defaultCategory) url.searchParams.set(config.categoryParam, view.category);
    if (view.query) url.searchParams.set('q', view.query);
    if (url.href === location.href) return;
    if (push) history.pushState(null, '', url);
    else history.replaceState(history.state, '', url);
  }
}

async function main(): Promise<void> {
  const panel = new Panel();
  panel.bindNetwork(watch);
  const demo = new Demo(panel);
  demo.bind();
  await demo.show(shopFromUrl(location.search), false);
}

main().catch((error: unknown) => {
  document.body.dataset.state = 'error';
  byId('load-status').textContent = `The demo could not start: ${messageOf(error)}`;
});
