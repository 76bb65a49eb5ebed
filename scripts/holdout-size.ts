/**
 * How many sessions an A/B holdout needs to see a given lift in conversion: the standard
 * two-proportion sample size (normal approximation, no continuity correction), alpha 0.05
 * two-sided, power 0.8. Prints the table of README.md's "Measure the lift":
 *
 *   npx tsx scripts/holdout-size.ts [--baseline 0.02,0.03] [--lift 0.05,0.1,0.2] [--holdout 0.1]
 *
 * With a control share h and k = (1 - h) / h treatment sessions per control session:
 *   n_control = (z_{1-a/2} sqrt(p(1-p)(1 + 1/k)) + z_{1-b} sqrt(p1(1-p1) + p2(1-p2)/k))^2 / (p2 - p1)^2
 * where p1 is the control's rate, p2 = p1 (1 + lift) the treatment's and p = (p1 + k p2) / (1 + k).
 * k = 1 (an even split) gives the textbook n per arm.
 */
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

/** z for 1 - 0.05 / 2 and for a power of 0.8. */
const Z_ALPHA = 1.959963984540054;
const Z_POWER = 0.8416212335729143;

/** Sessions the control arm needs; the treatment arm needs `ratio` times as many. */
export function controlSessions(baseline: number, lift: number, ratio = 1): number {
  const p1 = baseline;
  const p2 = baseline * (1 + lift);
  const pooled = (p1 + ratio * p2) / (1 + ratio);
  const a = Z_ALPHA * Math.sqrt(pooled * (1 - pooled) * (1 + 1 / ratio));
  const b = Z_POWER * Math.sqrt(p1 * (1 - p1) + (p2 * (1 - p2)) / ratio);
  return Math.ceil((a + b) ** 2 / (p2 - p1) ** 2);
}

/** The Markdown table: per arm with an even split, and in all with a control share of `holdout`. */
export function sizeTable(baselines: readonly number[], lifts: readonly number[], holdout: number): string {
  const pct = (x: number) => `${+(x * 100).toFixed(2)}%`;
  const n = (x: number) => x.toLocaleString('en');
  const ratio = (1 - holdout) / holdout;
  const lines = [
    `| baseline conversion | lift to detect | sessions per arm (50/50) | sessions in all (50/50) | control sessions (holdout ${holdout}) | sessions in all (holdout ${holdout}) |`,
    '|---|---|---|---|---|---|',
  ];
  for (const baseline of baselines) {
    for (const lift of lifts) {
      const even = controlSessions(baseline, lift);
      const control = controlSessions(baseline, lift, ratio);
      lines.push(`| ${pct(baseline)} | +${pct(lift)} (to ${pct(baseline * (1 + lift))}) | ${n(even)} | ${n(2 * even)} | ${n(control)} | ${n(Math.ceil(control / holdout))} |`);
    }
  }
  return lines.join('\n');
}

function main(): void {
  const arg = (name: string, fallback: number[]): number[] => {
    const i = process.argv.indexOf(`--${name}`);
    return i < 0 ? fallback : process.argv[i + 1]!.split(',').map(Number);
  };
  const [holdout] = arg('holdout', [0.1]);
  if (!(holdout! > 0 && holdout! < 1)) throw new Error('--holdout: a share strictly between 0 and 1');
  console.log(sizeTable(arg('baseline', [0.02, 0.03]), arg('lift', [0.05, 0.1, 0.2]), holdout!));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
