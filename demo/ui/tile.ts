/** One film tile: a generated cover, title, why it is here, and the shop's actions. */
import type { Film } from '../catalog';
import { coverStyle, initials } from './cover';

export type ShopAction = 'click' | 'add_to_cart' | 'purchase';

export interface Tile {
  film: Film;
  element: HTMLLIElement;
  /** Shows how far the film moved from the server's order and the model's reason. */
  setPlacement(delta: number, reason: string | undefined): void;
  setMarks(marks: { viewed: boolean; inCart: boolean; bought: boolean }): void;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function createTile(film: Film, listKey: string, onAction: (action: ShopAction) => void): Tile {
  const element = el('li', 'tile');
  element.dataset.id = film.id;
  element.dataset.genres = film.genres.join('|');

  const reasonId = `why-${listKey}-${film.id}`;
  const moveId = `move-${listKey}-${film.id}`;
  const main = el('button', 'tile-main');
  main.type = 'button';
  main.setAttribute('aria-describedby', `${moveId} ${reasonId}`);

  const cover = el('span', 'cover');
  cover.setAttribute('aria-hidden', 'true');
  for (const [name, value] of Object.entries(coverStyle(film))) cover.style.setProperty(name, value);
  cover.append(
    el('span', 'cover-genre', film.genres[0] ?? 'Film'),
    el('span', 'cover-initials', initials(film.title)),
    el('span', 'cover-year', film.year ? String(film.year) : ''),
  );

  const title = el('span', 'tile-title', film.title);
  const meta = el('span', 'tile-meta', [film.year, film.genres.slice(0, 2).join(', ')].filter(Boolean).join(' · '));
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
  cart.setAttribute('aria-label', `Add to cart: ${film.title}`);
  cart.addEventListener('click', () => onAction('add_to_cart'));
  const buy = el('button', 'btn-mini btn-mini-strong', 'Buy');
  buy.type = 'button';
  buy.setAttribute('aria-label', `Buy ${film.title}`);
  buy.addEventListener('click', () => onAction('purchase'));
  actions.append(cart, buy);

  element.append(main, move, reason, actions);

  return {
    film,
    element,
    setPlacement(delta, why) {
      const places = `${Math.abs(delta)} place${Math.abs(delta) === 1 ? '' : 's'}`;
      const said = delta === 0 ? '' : `${delta > 0 ? 'Up' : 'Down'} ${places} from the server's order.`;
      move.dataset.direction = delta > 0 ? 'up' : delta < 0 ? 'down' : 'none';
      move.title = said;
      moveArrow.textContent = delta > 0 ? `▲ ${delta}` : delta < 0 ? `▼ ${-delta}` : '';
      moveText.textContent = said;
      reason.textContent = why && delta >= 0 ? why : '';
      element.dataset.reason = reason.textContent;
    },
    setMarks({ viewed, inCart, bought }) {
      marks.textContent = bought ? 'Bought' : inCart ? 'In cart' : viewed ? 'Viewed' : '';
      marks.hidden = marks.textContent === '';
    },
  };
}
