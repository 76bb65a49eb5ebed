/**
 * Rows that cannot be read are counted and skipped, the first few shown with file and line, and
 * the run stops only when they exceed a limit (a share of the rows read, or a count).
 */
import { basename } from 'node:path';
import { InputError } from './input-error';

/** `1%`, `0.01` (a share of the rows) or `500` (a count). */
export type BadRowLimit = { share: number } | { count: number };

export function parseBadRowLimit(text: string): BadRowLimit {
  const t = text.trim();
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(t);
  if (percent) return { share: Number(percent[1]) / 100 };
  const n = Number(t);
  if (t === '' || !Number.isFinite(n) || n < 0) throw new InputError(`--max-bad-rows needs a share like 1% or 0.01, or a count like 500 (got "${text}")`);
  return n < 1 ? { share: n } : { count: Math.floor(n) };
}

export interface BadRowSample {
  file: string;
  line: number;
  message: string;
}

export class BadRows {
  /** Data rows read (good and bad), over all files. */
  rows = 0;
  bad = 0;
  readonly samples: BadRowSample[] = [];

  constructor(
    private readonly limit: BadRowLimit,
    private readonly warn: (line: string) => void,
    private readonly show = 5,
  ) {}

  add(file: string, line: number, message: string): void {
    this.bad++;
    if (this.samples.length < this.show) {
      const sample = { file: basename(file), line, message };
      this.samples.push(sample);
      this.warn(`${sample.file}:${line}: ${message} (row skipped)`);
    }
  }

  private over(): boolean {
    return 'share' in this.limit ? this.bad > this.limit.share * this.rows : this.bad > this.limit.count;
  }

  /** Throws when the rows read so far hold more bad rows than the limit allows. */
  check(): void {
    if (!this.over()) return;
    const limit = 'share' in this.limit ? `${+(this.limit.share * 100).toFixed(4)}% of the rows` : `${this.limit.count} rows`;
    throw new InputError(
      `${this.bad} of ${this.rows} rows could not be read, more than the limit of ${limit} (--max-bad-rows). ` +
        'The first ones are listed above; check the format, or pass --events-format / --columns / --time-unit.',
    );
  }

  /** Stops a file in the wrong format early instead of reading all of it. */
  checkEarly(): void {
    if (this.rows >= 1000 && this.bad > this.rows / 2) this.check();
  }
}
