/**
 * Node half of the browser-parity check (tests/browser/eval.spec.ts): builds `standard` cases for a
 * sample of MovieLens 100K users, ranks them through the Node Engine with the default model, and
 * writes the cases (times shifted so each case is asked at `--now`) with the Node results.
 *
 * `tsx scripts/eval-parity.ts --users 30 --now <ms> --out reports/parity.json`
 */
import { register } from 'node:module';

register('./esm-hook.mjs', import.meta.url);
const { runParity } = await import('../src/training/eval/parity');
await runParity(process.argv.slice(2));
