/**
 * The PyTorch trainer (torch/localrank_torch) from Node: which Python runs it and with what
 * environment. Debian's python3-torch installs into /usr/bin/python3 only; `PYTHON` overrides.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Folder holding the `localrank_torch` package. */
export const TORCH_DIR = fileURLToPath(new URL('../../../torch', import.meta.url));

/** Debian's packages of what the trainer needs (python3-torch brings python3-numpy). */
export const TORCH_PACKAGES = ['python3-torch'];

const HOW_TO_INSTALL = `install Debian's PyTorch, which brings numpy (as root: apt-get install -y ${TORCH_PACKAGES.join(' ')}), and run it with /usr/bin/python3, where Debian installs it; or pip install torch numpy into another Python and set PYTHON to it`;

export function pythonPath(): string {
  return process.env.PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
}

/** The environment for `python -m localrank_torch`: the package on PYTHONPATH. */
export function torchEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const path = [TORCH_DIR, process.env.PYTHONPATH].filter(Boolean).join(':');
  return { ...process.env, PYTHONPATH: path, ...extra };
}

/**
 * Prints the modules the trainer needs that Python cannot import, as `missing_modules` in
 * torch/localrank_torch/cli.py does (this repository's `torch/` folder is not PyTorch).
 */
const FIND_MISSING = "import importlib.util as u; print(' '.join(m for m in ('numpy', 'torch') if getattr(u.find_spec(m), 'origin', None) is None))";

/** Why the trainer cannot run with {@link pythonPath}, and what to install; null when it can. */
export function torchUnavailable(): string | null {
  const python = pythonPath();
  const result = spawnSync(python, ['-c', FIND_MISSING], { encoding: 'utf8', env: torchEnv() });
  if (result.error) return `no Python at ${python} (${result.error.message}): ${HOW_TO_INSTALL}`;
  if (result.status !== 0) return `${python} did not run (${result.stderr.trim().split('\n').pop()}): ${HOW_TO_INSTALL}`;
  const missing = result.stdout.trim();
  return missing ? `${python} cannot import ${missing.split(' ').join(' and ')}: ${HOW_TO_INSTALL}` : null;
}
