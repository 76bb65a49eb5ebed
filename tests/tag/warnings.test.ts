import { describe, expect, it } from 'vitest';
import { Diagnostics, WARNING_EVENT, type Warning } from '../../src/tag/warnings';

/** An element that records the events dispatched on it. */
function element(connected = true) {
  const events: CustomEvent<Warning>[] = [];
  const el = { isConnected: connected, dispatchEvent: (e: CustomEvent<Warning>) => events.push(e) > 0 };
  return { el: el as unknown as Element, events };
}

describe('Diagnostics', () => {
  it('tells each problem of an element once, as a bubbling localrank:warning', () => {
    const diagnostics = new Diagnostics();
    const { el, events } = element();
    diagnostics.report(el, [{ code: 'BAD_PRICE', attribute: 'data-lr-price' }], { itemId: 'a', listId: 'top' });
    diagnostics.report(el, [{ code: 'BAD_PRICE', attribute: 'data-lr-price' }], { itemId: 'a', listId: 'top' });
    diagnostics.report(el, [{ code: 'DUPLICATE_ID', attribute: 'data-lr-item' }], { itemId: 'a', listId: 'top' });
    expect(events.map((e) => [e.type, e.bubbles, e.detail.code, e.detail.skipped])).toEqual([
      [WARNING_EVENT, true, 'BAD_PRICE', false],
      [WARNING_EVENT, true, 'DUPLICATE_ID', true],
    ]);
    expect(events[0]!.detail).toMatchObject({ attribute: 'data-lr-price', itemId: 'a', listId: 'top', element: el });
  });

  it('lists only warnings about elements still on the page', () => {
    const diagnostics = new Diagnostics();
    const here = element();
    const gone = element(false);
    diagnostics.report(here.el, [{ code: 'EMPTY_ID', attribute: 'data-lr-item' }]);
    diagnostics.report(gone.el, [{ code: 'EMPTY_ID', attribute: 'data-lr-item' }]);
    expect(diagnostics.current().map((w) => w.element)).toEqual([here.el]);
  });
});
