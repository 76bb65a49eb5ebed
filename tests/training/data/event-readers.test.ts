import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../../src/shared/types';
import { detectEventsFormat } from '../../../src/training/data/event-readers';
import { loadDataset } from '../../../src/training/data/load';
import { FIXTURES, tempFile } from './helpers';

const seq = (d: Awaited<ReturnType<typeof loadDataset>>['data'], user: string) => {
  const s = d.sequences.find((x) => x.user === user)!;
  return {
    items: Array.from(s.items, (r) => d.itemIds[r - 1]),
    types: s.types ? Array.from(s.types, (t) => EVENT_TYPES[t]) : undefined,
    times: Array.from(s.times),
  };
};

describe('event logs', () => {
  it('reads CSV events, sorts each user by time and keeps their types', async () => {
    const path = tempFile('log.csv', [
      'user_id,item_id,timestamp,event_type',
      'u1,a,2024-05-01T10:00:02Z,purchase',
      'u2,b,1714557600,view_item',
      'u1,b,2024-05-01T10:00:01Z,add_to_cart',
      'u1,c,1714557600000,click',
    ].join('\n'));
    const { data, stats } = await loadDataset({ events: [path] });
    expect(data.name).toBe('log');
    expect(data.timestamps).toBe(true);
    expect(seq(data, 'u1')).toEqual({
      items: ['c', 'b', 'a'],
      types: ['click', 'add_to_cart', 'purchase'],
      times: [Date.UTC(2024, 4, 1, 10), Date.UTC(2024, 4, 1, 10, 0, 1), Date.UTC(2024, 4, 1, 10, 0, 2)],
    });
    expect(seq(data, 'u2').types).toEqual(['view']);
    expect(stats).toMatchObject({ rows: 4, badRows: 0, events: 4, users: 2, items: 3, firstEvent: '2024-05-01T10:00:00.000Z' });
    expect(stats.sources).toEqual([{ file: 'log.csv', format: 'csv', rows: 4, badRows: 0 }]);
  });

  it('skips bad rows, naming file and line, and stops only above --max-bad-rows', async () => {
    const good = Array.from({ length: 97 }, (_, i) => `u${i % 5},i${i % 7},${1714557600 + i}`);
    const path = tempFile('shop.csv', ['visitor,sku,ts', 'u1,x,yesterday', ',x,1714557600', 'u1,x', ...good].join('\n'));
    const warnings: string[] = [];
    const read = (limit: { share: number } | { count: number }) =>
      loadDataset({ events: [path], columns: { user: 'visitor', item: 'sku', time: 'ts' }, badRows: limit, warn: (l) => warnings.push(l) });
    const { stats } = await read({ count: 3 });
    expect(stats).toMatchObject({ rows: 100, badRows: 3, events: 97 });
    expect(warnings).toEqual([
      'shop.csv:2: timestamp "yesterday" is not a time (row skipped)',
      'shop.csv:3: no user id (row skipped)',
      'shop.csv:4: 2 fields, the header has 3 (row skipped)',
    ]);
    await expect(read({ share: 0.01 })).rejects.toThrow(/3 of 100 rows could not be read, more than the limit of 1% of the rows/);
  });

  it('names the missing column and the columns it found', async () => {
    const path = tempFile('odd.csv', 'visitor,product,when\nu1,a,1714557600\n');
    await expect(loadDataset({ events: [path] })).rejects.toThrow(/odd\.csv: no user, time column\. Columns are: visitor, product, when/);
  });

  it('counts events it does not train on by reason: impressions, removals, unknown names', async () => {
    const path = tempFile('types.tsv', [
      'user\titem\ttime\taction',
      'u1\ta\t1714557600\timpression',
      'u1\tb\t1714557601\tremove_from_cart',
      'u1\tc\t1714557602\tshare',
      'u1\td\t1714557603\tview',
      'u1\te\t1714557604\t',
    ].join('\n'));
    const { data, stats } = await loadDataset({ events: [path] });
    expect(seq(data, 'u1')).toMatchObject({ items: ['d', 'e'], types: ['view', 'click'] });
    expect(stats.ignored).toEqual({ impression: 1, remove_from_cart: 1, 'unknown "share"': 1 });
  });

  it('merges consecutive events on one item into the strongest, unless told to keep repeats', async () => {
    const text = ['user_id,item_id,timestamp,event_type', 'u,a,1,view', 'u,a,2,purchase', 'u,a,3,view', 'u,b,4,view', 'u,a,5,view']
      .map((l, i) => (i ? l.replace(/,(\d),/, (_, t) => `,${1714557600 + Number(t)},`) : l))
      .join('\n');
    const path = tempFile('repeats.csv', text);
    const merged = await loadDataset({ events: [path] });
    expect(seq(merged.data, 'u')).toMatchObject({ items: ['a', 'b', 'a'], types: ['purchase', 'view', 'view'] });
    expect(merged.stats.collapsed).toBe(2);
    const kept = await loadDataset({ events: [path], collapseRepeats: false });
    expect(seq(kept.data, 'u').items).toEqual(['a', 'a', 'a', 'b', 'a']);
  });

  it('reads JSON Lines events with numeric ids and a type filter', async () => {
    const path = tempFile('events.jsonl.gz', [
      '{"userId": 7, "itemId": 10, "ts": 1714557600000, "type": "purchase"}',
      '{"userId": 7, "itemId": 11, "ts": 1714557601000, "type": "view"}',
      'not json',
      '[1, 2]',
      '{"userId": 8, "itemId": 10, "ts": "2024-05-01T10:00:00Z", "type": "purchase"}',
    ].join('\n'));
    const warnings: string[] = [];
    const { data, stats } = await loadDataset({ events: [path], keep: ['purchase'], badRows: { count: 5 }, warn: (l) => warnings.push(l) });
    expect(stats.sources[0].format).toBe('jsonl');
    expect(data.name).toBe('events');
    expect(seq(data, '7').items).toEqual(['10']);
    expect(seq(data, '8').items).toEqual(['10']);
    expect(stats.ignored).toEqual({ view: 1 });
    expect(warnings).toEqual(['events.jsonl.gz:3: not valid JSON (row skipped)', 'events.jsonl.gz:4: not a JSON object (row skipped)']);
  });

  it('reads the `user item item ...` format as evenly spaced purchases', async () => {
    const path = tempFile('beauty.txt', '1 10 20 30\n2 20 40\n\n');
    const { data } = await loadDataset({ events: [path] });
    expect(data.eventType).toBe('purchase');
    expect(data.timestamps).toBe(false);
    expect(data.sequences[0].types).toBeUndefined();
    expect(seq(data, '1').items).toEqual(['10', '20', '30']);
  });

  it('detects formats from names and first lines', async () => {
    expect(await detectEventsFormat(tempFile('a.txt', '1 2 3\n'))).toBe('sequences');
    expect(await detectEventsFormat(tempFile('a.txt', 'user_id;item_id;timestamp\n'))).toBe('csv');
    expect(await detectEventsFormat(tempFile('a.json', '{"user_id": 1}\n'))).toBe('jsonl');
    expect(await detectEventsFormat(join(FIXTURES, 'ga4-export.jsonl'))).toBe('ga4');
    expect(await detectEventsFormat(tempFile('export.gz', '{"event_name":"x","event_timestamp":"1","user_pseudo_id":"a"}\n'))).toBe('ga4');
  });
});

describe('the GA4 BigQuery export', () => {
  const ga4 = join(FIXTURES, 'ga4-export.jsonl');

  it('turns each item of an e-commerce event into an interaction at its µs timestamp', async () => {
    const warnings: string[] = [];
    const { data, stats } = await loadDataset({ events: [ga4], badRows: { share: 0.2 }, warn: (l) => warnings.push(l) });
    expect(data.itemIds).toEqual(['SKU_1', 'SKU_9', 'SKU_2', 'SKU_3']);
    // select_item, view_item, add_to_cart and purchase of SKU_1 merge into one purchase.
    expect(seq(data, '1001.17145')).toEqual({ items: ['SKU_1', 'SKU_9'], types: ['purchase', 'purchase'], times: [1714557610000, 1714557700000] });
    expect(seq(data, '2002.17145')).toMatchObject({ items: ['SKU_2', 'SKU_3'], types: ['view', 'add_to_cart'] });
    expect(stats).toMatchObject({ rows: 13, badRows: 2, collapsed: 3, users: 2 });
    expect(stats.ignored).toEqual({
      'session_start (no items)': 1,
      impression: 2,
      remove_from_cart: 1,
      'item without item_id': 1,
      'page_view (no items)': 1,
    });
    expect(warnings).toEqual([
      'ga4-export.jsonl:12: timestamp "not a time" is not a time (row skipped)',
      'ga4-export.jsonl:13: not valid JSON (row skipped)',
    ]);
  });

  it("feeds the items' fields into the catalogue, a catalogue file overriding them", async () => {
    const catalogue = tempFile('cat.jsonl', '{"item_id": "SKU_2", "brand": "Initech", "tags": ["vegan"]}\n');
    const { data, stats } = await loadDataset({ events: [ga4], catalogues: [catalogue], badRows: { share: 0.2 } });
    const f = (id: string) => data.features![data.itemIds.indexOf(id)];
    expect(f('SKU_1')).toEqual({ category: ['Shoes', 'Running'], brand: 'Acme', text: 'Trail Shoe', price: 89.9, attributes: { variant: 'blue' } });
    expect(f('SKU_9')).toEqual({ category: ['Accessories'], text: 'Socks', price: 5 });
    expect(f('SKU_2')).toEqual({ category: ['Shoes', 'Running'], brand: 'Initech', text: 'Road Shoe', price: 79, tags: ['vegan'] });
    expect(stats.itemsWithFeatures).toBe(4);
  });

  it('fails on the default limit of 1% bad rows, after listing them', async () => {
    await expect(loadDataset({ events: [ga4] })).rejects.toThrow(/2 of 13 rows could not be read/);
  });
});
