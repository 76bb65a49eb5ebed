import { describe, expect, it } from 'vitest';
import { CsvRecords, sniffDelimiter, splitRecord } from '../../../src/training/data/csv';
import type { Line } from '../../../src/training/data/lines';

function records(text: string, delimiter = ',') {
  const reader = new CsvRecords(delimiter);
  const lines: Line[] = text.split('\n').map((t, i) => ({ text: t, number: i + 1 }));
  const out = [...lines.map((l) => reader.push(l)), reader.end()];
  return out.filter((r) => r !== null);
}

describe('CSV', () => {
  it('splits plain and quoted fields, with doubled quotes and delimiters inside quotes', () => {
    expect(splitRecord('a,b,,c', ',').fields).toEqual(['a', 'b', '', 'c']);
    expect(splitRecord('"x, y","say ""hi""",3', ',').fields).toEqual(['x, y', 'say "hi"', '3']);
    expect(splitRecord('"open', ',').open).toBe(true);
  });

  it('joins lines while a quoted field is open and numbers records by their first line', async () => {
    const out = records('id,title\n1,"two\nlines"\n\n2,plain');
    expect(out.map((r) => [r.number, r.fields])).toEqual([
      [1, ['id', 'title']],
      [2, ['1', 'two\nlines']],
      [5, ['2', 'plain']],
    ]);
  });

  it('returns a record whose quote never closes as open, at the end of the input', async () => {
    const out = records('id,title\n1,"never closed\n2,x');
    expect(out[1]).toMatchObject({ number: 2, open: true });
  });

  it('guesses the delimiter from the header', () => {
    expect(sniffDelimiter('user_id,item_id,timestamp')).toBe(',');
    expect(sniffDelimiter('user_id\titem_id\ttimestamp')).toBe('\t');
    expect(sniffDelimiter('user_id;item_id;timestamp')).toBe(';');
    expect(sniffDelimiter('"a;b",c')).toBe(',');
    expect(sniffDelimiter('single')).toBe(',');
  });
});
