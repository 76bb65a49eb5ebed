/**
 * The panel's "What moved it" card: for the product in focus (pointed at, or reached with Tab), where
 * the server put it, where it is now, the reason, and what the server's order, the visitor's taste
 * and the pretrained scorer each added to its score. The card keeps its size whatever it shows, so
 * nothing below it moves.
 */
import { contributionRows, type Contributions } from '../contributions';
import { byId } from './dom';

export interface FocusView {
  id: string;
  name: string;
  /** The row it is in, e.g. "Recommended for you". */
  row: string;
  /** Places up (positive) or down from the server's order. */
  delta: number;
  reason: string | null;
  /** Absent when the engine does not report them. */
  contributions: Contributions | null;
}

function moveText(view: FocusView): string {
  const places = `${Math.abs(view.delta)} place${Math.abs(view.delta) === 1 ? '' : 's'}`;
  const move = view.delta === 0 ? "where the server put it" : `${view.delta > 0 ? 'up' : 'down'} ${places} from the server's order`;
  return `${view.row}: ${move}.${view.reason ? ` ${view.reason}.` : ''}`;
}

export function renderFocus(view: FocusView | null): void {
  const item = byId('focus-item');
  byId('focus-hint').hidden = view !== null;
  item.hidden = view === null;
  if (!view) {
    delete item.dataset.id;
    return;
  }
  item.dataset.id = view.id;
  byId('focus-name').textContent = view.name;
  byId('focus-name').title = view.name;
  byId('focus-move').textContent = moveText(view);
  const list = byId('contributions');
  list.hidden = view.contributions === null;
  if (!view.contributions) return;
  for (const row of contributionRows(view.contributions)) {
    const line = byId(`contrib-${row.key}`);
    line.dataset.value = String(row.value);
    line.dataset.sign = row.value > 0 ? 'plus' : row.value < 0 ? 'minus' : 'zero';
    line.style.setProperty('--share', row.share.toFixed(3));
    const value = line.querySelector('.contrib-value');
    if (value) value.textContent = row.text;
  }
}
