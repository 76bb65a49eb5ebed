import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ItemFeatures } from '../../../src/shared/types';
import { BadRows } from '../../../src/training/data/bad-rows';
import { detectCatalogueFormat, dropIdLikeAttributes, parsePrice, readCatalogue } from '../../../src/training/data/catalogue';
import { FIXTURES, tempFile } from './helpers';

async function read(path: string, options: { prefix?: string } = {}, warnings: string[] = []) {
  const out = new Map<string, ItemFeatures>();
  const info = await readCatalogue(path, out, { bad: new BadRows({ count: 10 }, (l) => warnings.push(l)), ...options });
  return { out, info };
}

describe('catalogues', () => {
  it('reads a CSV: category path, brand, price, title, tags, other columns as attributes', async () => {
    const path = tempFile('catalog.csv', [
      'Item ID,Category,Brand,Price,Title,Tags,Color,Material,Image URL,Description',
      'A1,"Shoes > Running",Acme,"89,90",Trail Shoe,vegan|gift,red,mesh,https://x/a.jpg,"Long text, with commas"',
      'A2,Bags,,,Tote,,blue,,,',
    ].join('\n'));
    const { out, info } = await read(path);
    expect(info).toEqual({ format: 'csv', items: 2 });
    expect(out.get('A1')).toEqual({
      category: ['Shoes', 'Running'],
      brand: 'Acme',
      price: 89.9,
      text: 'Trail Shoe',
      tags: ['vegan', 'gift'],
      attributes: { Color: 'red', Material: 'mesh' },
    });
    expect(out.get('A2')).toEqual({ category: ['Bags'], text: 'Tote', attributes: { Color: 'blue' } });
  });

  it('reads JSON Lines with nested attributes, lists and GA4-style category levels', async () => {
    const path = tempFile('items.jsonl', [
      '{"id": 5, "item_category": "Shoes", "item_category2": "Trail", "item_brand": "Acme", "attributes": {"size": ["42", "43"]}, "in_stock": true, "meta": {"x": 1}}',
      '{"title": "no id"}',
    ].join('\n'));
    const warnings: string[] = [];
    const { out } = await read(path, {}, warnings);
    expect(out.get('5')).toEqual({ category: ['Shoes', 'Trail'], brand: 'Acme', attributes: { size: ['42', '43'], in_stock: true } });
    expect(warnings).toEqual(['items.jsonl:2: no item id (row skipped)']);
  });

  it('reads an S3-Rec item2attributes JSON as tags prefixed by the file name or a given prefix', async () => {
    const path = join(FIXTURES, 'item2attributes.json');
    expect(await detectCatalogueFormat(path)).toBe('item2attributes');
    expect((await read(path)).out.get('2')).toEqual({ tags: ['item2attributes:1', 'item2attributes:3'] });
    expect((await read(path, { prefix: 'beauty' })).out.get('4')).toEqual({ tags: ['beauty:2'] });
  });

  it('detects a pretty-printed item2attributes object', async () => {
    expect(await detectCatalogueFormat(tempFile('attrs.json', '{\n  "1": [1, 2],\n  "2": [3]\n}\n'))).toBe('item2attributes');
    expect(await detectCatalogueFormat(tempFile('items.json', '{"item_id": "a", "brand": "b"}\n'))).toBe('jsonl');
  });

  it('reads prices as shops write them and drops what is not a price', () => {
    expect([12, '12.5', '12,50', '€ 1,299.00', '-3', 'n/a', '', null].map(parsePrice)).toEqual([12, 12.5, 12.5, 1299, undefined, undefined, undefined, undefined]);
  });

  it('drops attributes that give most items a value of their own', () => {
    const catalogue = new Map<string, ItemFeatures>();
    for (let i = 0; i < 60; i++) catalogue.set(`i${i}`, { attributes: { ean: `400${i}`, color: i % 2 ? 'red' : 'blue' } });
    expect(dropIdLikeAttributes(catalogue)).toEqual(['ean']);
    expect(catalogue.get('i1')).toEqual({ attributes: { color: 'red' } });
  });
});
