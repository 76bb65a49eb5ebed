/** `npm run pretrain:head -- --model public/models/default --own ../shared/datasets/ml-100k --transfer ...` */
import { register } from 'node:module';

register('./esm-hook.mjs', import.meta.url);
const { main } = await import('../src/training/cli/head-cli');
const { runCommand } = await import('../src/training/data/input-error');
await runCommand(main, process.argv.slice(2));
