/**
 * Throughput and memory of `localrank train` on synthetic logs: reading, then one epoch, through
 * the bundled bin (`npm run build:cli` first). Logs are generated once under .cache/bench-train.
 *
 *   npm run bench:train -- --sizes 1000000,10000000 [--items 20000] [--epochs 1]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { register } from 'node:module';

register('./esm-hook.mjs', import.meta.url);
const { num, parseArgs, str } = await import('../src/training/data/args');
const { writeSynthetic } = await import('../src/training/data/synth');

const args = parseArgs(process.argv.slice(2), {
  usage: 'usage: npm run bench:train -- [--sizes 1000000,10000000] [--items N] [--epochs N] [--dir folder]',
  flags: ['sizes', 'items', 'epochs', 'dir'],
});
const sizes = str(args, 'sizes', '1000000').split(',').map(Number);
const items = num(args, 'items', 20_000);
const epochs = str(args, 'epochs', '1');
const root = str(args, 'dir', '.cache/bench-train');
const bin = 'dist/cli/localrank.mjs';
if (!existsSync(bin)) throw new Error(`${bin} is missing: run npm run build:cli first`);

const rows: string[] = [];
for (const size of sizes) {
  const dir = join(root, `${size}`);
  if (!existsSync(join(dir, 'events.csv'))) {
    console.error(`writing ${size} synthetic events to ${dir}`);
    await writeSynthetic({ dir, items, users: 0, events: size, seed: 1 });
  }
  const out = join(dir, 'model');
  execFileSync(process.execPath, [bin, 'train', '--events', join(dir, 'events.csv'), '--catalog', join(dir, 'catalog.csv'), '--out', out, '--epochs', epochs], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const r = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  const res = r.resources;
  const trained = res.trainEventsPerSecond * res.trainSeconds;
  const per = (n: number, seconds: number) => Math.round(n / seconds).toLocaleString('en-US');
  rows.push(
    `| ${size.toLocaleString('en-US')} | ${r.data.users.toLocaleString('en-US')} | ${r.data.items.toLocaleString('en-US')} | ` +
      `${res.readSeconds.toFixed(1)} (${res.readCpuSeconds.toFixed(1)}) | ${per(r.data.rows, res.readCpuSeconds)} | ${Math.round(res.readPeakRssMB)} | ` +
      `${res.trainSeconds.toFixed(0)} (${res.trainCpuSeconds.toFixed(0)}) | ${per(trained, res.trainCpuSeconds)} | ${Math.round(res.peakRssMB)} |`,
  );
  writeFileSync(join(root, `result-${size}.json`), `${JSON.stringify({ size, items, resources: res, data: r.data, training: r.training }, null, 2)}\n`);
}
console.log(`\n${cpus().length} cores (${cpus()[0]?.model}), Node ${process.version}, ${epochs} epoch(s), default model settings\n`);
console.log('Times are wall (CPU) seconds; rates are per CPU second, as other work shares the cores.\n');
console.log('| events | users | items | read s | rows read/s | RSS after reading MB | train s (epochs + validation) | events trained/s | peak RSS MB |');
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) console.log(r);
