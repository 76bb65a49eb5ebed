/** One product tile: a generated cover, name, why it is here, and the shop's actions. */
import type { Product } from '../catalog';
import { coverStyle, initials } from './cover';

export type ShopAction = 'click' | 'add_to_cart' | 'purchase';

/** Why a product sits where it does, as a tile shows it. */
export interface Why {
  text: string;
  /** What each part of the ranking added, for the tooltip; absent when the engine does not say. */
  detail?: string;
}

export interface Tile {
  product: Product;
  element: HTMLLIElement;
  /** Shows how far the product moved from the server's order and the engine's reason. */
  setPlacement(delta: number, why: Why | undefined): void;
  setMarks(marks: { viewed: boolean; inCart: boolean; bought: boolean }): void;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function createTile(product: Product, listKey: string, onAction: (action: ShopAction) => void): Tile {
  const element = el('li', 'tile');
  element.dataset.id = product.id;
  element.dataset.categories = product.categories.join('|');

  // `listKey` names the shop and the row: ids stay unique in a page that holds both shops' rows.
  const reasonId = `why-${listKey}-${product.id}`;
  const moveId = `move-${listKey}-${product.id}`;
  const main = el('button', 'tile-main');
  main.type = 'button';
  main.setAttribute('aria-describedby', `${moveId} ${reasonId}`);

  const cover = el('span', 'cover');
  cover.setAttribute('aria-hidden', 'true');
  for (const [name, value] of Object.entries(coverStyle(product))) cover.style.setProperty(name, value);
  cover.append(
    el('span', 'cover-genre', product.categories[0] ?? ''),
    el('span', 'cover-initials', initials(product.title)),
    el('span', 'cover-year', product.year ? String(product.year) : ''),
  );

  const title = el('span', 'tile-title', product.title);
  title.title = product.title;
  const meta = el('span', 'tile-meta', [product.year, product.categories.slice(0, 2).join(', ')].filter(Boolean).join(' · '));
  const marks = el('span', 'marks');
  marks.hidden = true;
  main.append(cover, title, meta, marks);
  main.addEventListener('click', () => onAction('click'));

  const move = el('span', 'move');
  move.id = moveId;
  const moveArrow = el('span');
  moveArrow.setAttribute('aria-hidden', 'true');
  const moveText = el('span', 'visually-hidden');
  move.append(moveArrow, moveText);
  const reason = el('p', 'why');
  reason.id = reasonId;

  const actions = el('div', 'tile-actions');
  const cart = el('button', 'btn-mini', 'Add to cart');
  cart.type = 'button';
  cart.setAttribute('aria-label', `Add to cart: ${product.title}`);
  cart.addEventListener('click', () => onAction('add_to_cart'));
  const buy = el('button', 'btn-mini btn-mini-strong', 'Buy');
  buy.type = 'button';
  buy.setAttribute('aria-label', `Buy ${product.title}`);
  buy.addEventListener('click', () => onAction('purchase'));
  actions.append(cart, buy);

  element.append(main, move, reason, actions);

  return {
    product,
    element,
    setPlacement(delta, why) {
      const places = `${Math.abs(delta)} place${Math.abs(delta) === 1 ? '' : 's'}`;
      const said = delta === 0 ? '' : `${delta > 0 ? 'Up' : 'Down'} ${places} from the server's order.`;
      move.dataset.direction = delta > 0 ? 'up' : delta < 0 ? 'down' : 'none';
      move.title = said;
      moveArrow.textContent = delta > 0 ? `▲ ${delta}` : delta < 0 ? `▼ ${-delta}` : '';
      moveText.textContent = said;
      const shown = why && delta >= 0 ? why : undefined;
      reason.textContent = shown?.text ?? '';
      reason.title = shown?.detail ? `${shown.text}. Added to its score: ${shown.detail}` : reason.textContent;
      element.dataset.reason = reason.textContent;
    },
    setMarks({ viewed, inCart, bought }) {
      marks.textContent = bought ? 'Bought' : inCart ? 'In cart' : viewed ? 'Viewed' : '';
      marks.hidden = marks.textContent === '';
    },
  };
}
