/** `npm run pretrain -- --dataset ../shared/datasets/ml-100k --out public/models/default` */
import { register } from 'node:module';

register('./esm-hook.mjs', import.meta.url);
const { main } = await import('../src/training/cli/pretrain-cli');
await main(process.argv.slice(2));
