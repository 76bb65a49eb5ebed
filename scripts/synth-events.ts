/**
 * Writes a synthetic shop log (events.csv + catalog.csv, see src/training/data/synth.ts).
 *
 *   npm run synth -- --events 1000000 --items 20000 --out .cache/synth-1m
 *   npm run synth -- --users 40 --items 24 --categories 3 --mean-events 8 --seed 3 --out tests/fixtures/train
 */
import { register } from 'node:module';

register('./esm-hook.mjs', import.meta.url);
const { num, parseArgs, str } = await import('../src/training/data/args');
const { writeSynthetic } = await import('../src/training/data/synth');

const args = parseArgs(process.argv.slice(2), {
  usage: 'usage: npm run synth -- [--events N | --users N] [--items N] [--categories N] [--mean-events N] [--seed N] [--out folder]',
  flags: ['events', 'users', 'items', 'categories', 'mean-events', 'seed', 'out'],
});
const dir = str(args, 'out', '.cache/synth');
const users = num(args, 'users', 0);
const written = await writeSynthetic({
  dir,
  items: num(args, 'items', 1000),
  users,
  events: num(args, 'events', 100_000),
  categories: args.categories === undefined ? undefined : num(args, 'categories', 0),
  meanEvents: num(args, 'mean-events', 12),
  seed: num(args, 'seed', 1),
});
console.log(`wrote ${written.events} events of ${written.users} users to ${dir}/events.csv, and ${dir}/catalog.csv`);
