/** What the tiles mark as viewed, in the cart or bought, derived from the events stored on the device. */
import type { StoredEvent } from '../src/shared/types';

export type MarkEvent = Pick<StoredEvent, 'type' | 'itemId'>;

export interface Marks {
  viewed: ReadonlySet<string>;
  inCart: ReadonlySet<string>;
  bought: ReadonlySet<string>;
}

export function marksFrom(events: readonly MarkEvent[]): Marks {
  const viewed = new Set<string>();
  const inCart = new Set<string>();
  const bought = new Set<string>();
  for (const event of events) {
    if (event.type === 'click' || event.type === 'view') viewed.add(event.itemId);
    if (event.type === 'add_to_cart') inCart.add(event.itemId);
    if (event.type === 'remove_from_cart') inCart.delete(event.itemId);
    if (event.type === 'purchase') {
      bought.add(event.itemId);
      inCart.delete(event.itemId);
    }
  }
  return { viewed, inCart, bought };
}
