/**
 * The PyTorch trainer (torch/localrank_torch) from Node: which Python runs it and with what
 * environment. Debian's python3-torch installs into /usr/bin/python3 only; `PYTHON` overrides.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Folder holding the `localrank_torch` package. */
export const TORCH_DIR = fileURLToPath(new URL('../../../torch', import.meta.url));

export function pythonPath(): string {
  return process.env.PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
}

/** The environment for `python -m localrank_torch`: the package on PYTHONPATH. */
export function torchEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const path = [TORCH_DIR, process.env.PYTHONPATH].filter(Boolean).join(':');
  return { ...process.env, PYTHONPATH: path, ...extra };
}
