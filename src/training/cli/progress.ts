/**
 * A progress bar with ETA for long CLI steps, on stderr. On a terminal it redraws one line; in a
 * log file or CI it prints a plain line every few seconds instead.
 */

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(0)}k`;
  return String(Math.round(n));
}

export class Progress {
  private readonly started: number;
  private lastDraw = -Infinity;
  private lastText = '';
  private finished = false;
  /** Units done at the first update: a resumed task's rate counts only the work done now. */
  private base: number | null = null;

  /**
   * @param label  what is being done, e.g. `reading events`
   * @param total  units of the whole task (bytes, batches); 0 when unknown
   * @param format how a count of units reads, e.g. bytes as MB
   */
  constructor(
    private readonly stream: ProgressStream | null,
    private readonly label: string,
    private total: number,
    private readonly format: (n: number) => string = formatCount,
    private readonly now: () => number = () => performance.now(),
    private readonly plainEveryMs = 10_000,
  ) {
    this.started = this.now();
  }

  /** Sets the total when it changes (an epoch count shortened by early stopping). */
  setTotal(total: number): void {
    this.total = total;
  }

  /** `done` units of `total`; `note` is appended (e.g. the last loss). */
  update(done: number, note = ''): void {
    if (!this.stream || this.finished) return;
    this.base ??= done;
    const t = this.now();
    const tty = Boolean(this.stream.isTTY);
    if (t - this.lastDraw < (tty ? 100 : this.plainEveryMs) && done < this.total) return;
    this.lastDraw = t;
    const text = this.render(done, t, note, tty);
    if (tty) this.stream.write(`\r${text.padEnd(this.lastText.length)}`);
    else this.stream.write(`${text}\n`);
    this.lastText = text;
  }

  /** Ends the bar with a final line (elapsed time instead of the ETA). */
  done(note = ''): void {
    if (!this.stream || this.finished) return;
    this.finished = true;
    const seconds = (this.now() - this.started) / 1000;
    const text = `${this.label}: done in ${formatDuration(seconds)}${note ? `, ${note}` : ''}`;
    if (this.stream.isTTY) this.stream.write(`\r${text.padEnd(this.lastText.length)}\n`);
    else this.stream.write(`${text}\n`);
  }

  render(done: number, t: number, note: string, bar: boolean): string {
    const seconds = (t - this.started) / 1000;
    const share = this.total > 0 ? Math.min(1, done / this.total) : 0;
    const rate = (done - (this.base ?? 0)) / seconds;
    const eta = this.total > 0 && done >= this.total ? 0 : rate > 0 && this.total > 0 ? (this.total - done) / rate : NaN;
    const width = 24;
    const filled = Math.round(share * width);
    const gauge = bar ? `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ` : '';
    const count = this.total > 0 ? `${this.format(done)}/${this.format(this.total)}` : this.format(done);
    const text = `${this.label} ${gauge}${(share * 100).toFixed(0).padStart(3)}% ${count} ETA ${formatDuration(eta)}${note ? ` ${note}` : ''}`;
    const columns = this.stream?.columns ?? 0;
    return bar && columns > 10 && text.length >= columns ? text.slice(0, columns - 1) : text;
  }
}
