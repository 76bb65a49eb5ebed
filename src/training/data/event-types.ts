/**
 * Event names in shops' logs mapped to localrank's event types: our own names, GA4's recommended
 * e-commerce events, and a few common spellings. Names are compared lower-cased, with spaces and
 * hyphens as underscores.
 */
import { EVENT_TYPES, type EventType } from '../../shared/types';

/** Events that carry taste and become training sequences (impressions and removals do not). */
export const TRAINABLE_TYPES: readonly EventType[] = ['view', 'click', 'add_to_cart', 'purchase'];

const NAMES: Record<string, EventType | null> = {
  // GA4 (https://developers.google.com/analytics/devguides/collection/ga4/reference/events)
  view_item: 'view',
  select_item: 'click',
  select_promotion: 'click',
  view_item_list: 'impression',
  view_promotion: 'impression',
  add_to_wishlist: 'add_to_cart',
  begin_checkout: 'add_to_cart',
  add_shipping_info: 'add_to_cart',
  add_payment_info: 'add_to_cart',
  // Listing the cart again or refunding says nothing new about taste.
  view_cart: null,
  refund: null,
  // Common spellings in other exports (RetailRocket, Magento, Shopify reports).
  pageview: 'view',
  page_view: 'view',
  product_view: 'view',
  detail: 'view',
  addtocart: 'add_to_cart',
  add_to_basket: 'add_to_cart',
  cart: 'add_to_cart',
  removefromcart: 'remove_from_cart',
  transaction: 'purchase',
  order: 'purchase',
  buy: 'purchase',
};
for (const type of EVENT_TYPES) NAMES[type] = type;

/**
 * The event type of a name: an EventType, null for a known name that is deliberately not used,
 * undefined for a name this table does not know.
 */
export function eventTypeOf(name: string): EventType | null | undefined {
  const key = name.trim().toLowerCase().replace(/[\s-]+/g, '_');
  return Object.hasOwn(NAMES, key) ? NAMES[key] : undefined;
}

/** Index of a type in EVENT_TYPES, the compact form sequences store. */
export function typeIndex(type: EventType): number {
  return EVENT_TYPES.indexOf(type);
}

/** How much an event says about taste: a repeat on the same item keeps the strongest. */
export function strength(typeIdx: number): number {
  switch (EVENT_TYPES[typeIdx]) {
    case 'purchase':
      return 4;
    case 'add_to_cart':
      return 3;
    case 'click':
      return 2;
    case 'view':
      return 1;
    default:
      return 0;
  }
}
