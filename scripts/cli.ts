/**
 * `npm run cli -- train --events <files> ...`: the `localrank` command from the sources (tsx), the
 * same code as the published bin. (Not `npm run train`: npm would run `pretrain` before it.)
 */
import { register } from 'node:module';

register('./esm-hook.mjs', import.meta.url);
const { main } = await import('../src/training/cli/cli');
process.exitCode = await main(process.argv.slice(2), { out: (text) => process.stdout.write(text), err: process.stderr });
