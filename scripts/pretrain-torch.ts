/**
 * `npm run pretrain:torch -- --dataset ../shared/datasets/beauty.txt --processes 2 --out dir`:
 * the PyTorch trainer (torch/localrank_torch, DistributedDataParallel); options as `npm run pretrain`.
 */
import { spawnSync } from 'node:child_process';
import { pythonPath, torchEnv, torchUnavailable } from '../src/training/pretrain/python';

const unavailable = torchUnavailable();
if (unavailable) {
  console.error(`npm run pretrain:torch needs PyTorch and numpy: ${unavailable}`);
  process.exit(1);
}
const result = spawnSync(pythonPath(), ['-m', 'localrank_torch', 'train', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: torchEnv(),
});
if (result.error) {
  console.error(`could not run ${pythonPath()}: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? 1);
