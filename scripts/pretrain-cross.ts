/** `npm run pretrain:cross -- --logs ../shared/datasets/beauty.txt:../shared/datasets/beauty_item2attributes.json:../shared/datasets/beauty_item2text.json,../shared/datasets/ml-100k --out public/models/default` */
import { register } from 'node:module';

register('./esm-hook.mjs', import.meta.url);
const { main } = await import('../src/training/cli/cross-cli');
await main(process.argv.slice(2));
