/** The PyTorch package's own unit tests (torch/tests: readers, corpus, windows), run under vitest. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { pythonPath, TORCH_DIR, torchEnv } from '../../src/training/pretrain/python';
import { TORCH_MISSING } from './helpers';

it.skipIf(TORCH_MISSING)('the Python unit tests of the readers, corpus and training windows pass', () => {
  const result = spawnSync(pythonPath(), ['-m', 'unittest', 'discover', '-s', join(TORCH_DIR, 'tests')], { env: torchEnv(), encoding: 'utf8' });
  expect(result.error).toBeUndefined();
  expect(result.status, result.stderr).toBe(0);
  expect(result.stderr).toMatch(/Ran \d+ tests/);
});
