/** `npm run eval -- --dataset ../shared/datasets/beauty.txt --protocol standard --users 2000` */
import { register } from 'node:module';

register('./esm-hook.mjs', import.meta.url);
const { main } = await import('../src/training/eval/eval');
const { runCommand } = await import('../src/training/data/input-error');
await runCommand(main, process.argv.slice(2));
