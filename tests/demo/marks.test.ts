import { describe, expect, it } from 'vitest';
import { marksFrom } from '../../demo/marks';

describe('tile marks', () => {
  it('follow the stored events: viewed, in the cart until removed or bought, bought', () => {
    const marks = marksFrom([
      { type: 'click', itemId: '1' },
      { type: 'add_to_cart', itemId: '2' },
      { type: 'add_to_cart', itemId: '3' },
      { type: 'remove_from_cart', itemId: '3' },
      { type: 'add_to_cart', itemId: '4' },
      { type: 'purchase', itemId: '4' },
      { type: 'impression', itemId: '5' },
    ]);
    expect([...marks.viewed]).toEqual(['1']);
    expect([...marks.inCart]).toEqual(['2']);
    expect([...marks.bought]).toEqual(['4']);
  });
});
