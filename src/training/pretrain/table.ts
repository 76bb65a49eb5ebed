/** Metric tables for the terminal and for Markdown (the evaluation and `localrank train`). */
import { METRIC_NAMES, type RankMetrics } from './metrics';

export interface MetricRow extends RankMetrics {
  name: string;
  users: number;
  /** Wall time of the row, when it is worth showing. */
  seconds?: number;
}

function cells(rows: readonly MetricRow[]): { header: string[]; lines: string[][] } {
  const timed = rows.some((r) => r.seconds !== undefined);
  const header = ['', ...METRIC_NAMES, 'users', ...(timed ? ['wall s'] : [])];
  const lines = rows.map((r) => [
    r.name,
    ...METRIC_NAMES.map((k) => r[k].toFixed(4)),
    String(r.users),
    ...(timed ? [(r.seconds ?? 0).toFixed(1)] : []),
  ]);
  return { header, lines };
}

/** Aligned plain-text columns, names left, numbers right. */
export function textTable(rows: readonly MetricRow[]): string {
  const { header, lines } = cells(rows);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (c: string[]) => c.map((x, i) => (i === 0 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join('  ');
  return [fmt(header), ...lines.map(fmt)].join('\n');
}

export function markdownTable(rows: readonly MetricRow[]): string {
  const { header, lines } = cells(rows);
  const row = (c: string[]) => `| ${c.join(' | ')} |`;
  return [row(header), row(header.map((_, i) => (i === 0 ? '---' : '---:'))), ...lines.map(row)].join('\n');
}
