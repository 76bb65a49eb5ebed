/**
 * CSV records (RFC 4180: quoted fields, doubled quotes, line breaks inside quotes) from a stream of
 * lines, and the delimiter of a file guessed from its header.
 */
import type { Line } from './lines';

const DELIMITERS = [',', '\t', ';', '|'] as const;

/** The delimiter that splits the header into the most fields (outside quotes); `,` by default. */
export function sniffDelimiter(header: string): string {
  let best = ',';
  let bestCount = 0;
  for (const d of DELIMITERS) {
    const count = splitRecord(header, d).fields.length - 1;
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}

/** Fields of one record; `open` is true when a quoted field is still open at the end. */
export function splitRecord(text: string, delimiter: string): { fields: string[]; open: boolean } {
  if (!text.includes('"')) return { fields: text.split(delimiter), open: false };
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += c;
    } else if (c === '"' && field.trim() === '') {
      field = '';
      quoted = true;
    } else if (c === delimiter) {
      fields.push(field);
      field = '';
    } else field += c;
    i++;
  }
  fields.push(field);
  return { fields, open: quoted };
}

export interface CsvRecord {
  fields: string[];
  /** Line number where the record starts. */
  number: number;
  /** True for a record whose quoted field never closed (returned as is, to be counted bad). */
  open: boolean;
}

/** Longest record kept open across lines: a stray quote must not swallow the rest of the file. */
const MAX_RECORD_CHARS = 1 << 20;

/** Assembles records from lines, joining lines while a quoted field is open. */
export class CsvRecords {
  private pending = '';
  private start = 0;

  constructor(private readonly delimiter: string) {}

  /** The record this line completes, or null (a blank line, or a quoted field still open). */
  push(line: Line): CsvRecord | null {
    const text = this.pending ? `${this.pending}\n${line.text}` : line.text;
    if (!this.pending) this.start = line.number;
    if (!text.trim()) return null;
    const { fields, open } = splitRecord(text, this.delimiter);
    if (open && text.length < MAX_RECORD_CHARS) {
      this.pending = text;
      return null;
    }
    this.pending = '';
    return { fields, number: this.start, open };
  }

  /** The record left open at the end of the input, if any. */
  end(): CsvRecord | null {
    if (!this.pending) return null;
    const record = { ...splitRecord(this.pending, this.delimiter), number: this.start, open: true };
    this.pending = '';
    return record;
  }
}
