/**
 * What `npm test` needs beyond npm packages, and getting it: Debian's Chromium for the browser
 * tests, Debian's PyTorch (python3-torch, in /usr/bin/python3) for the PyTorch trainer's tests.
 * Where it can (root on Debian, with apt-get) the package is installed; elsewhere the exact command
 * is said. Nothing here is skipped in silence: the caller reports what could not be had.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Something the tests need, the Debian packages that provide it, and whether it is here. */
export interface Need {
  name: string;
  packages: readonly string[];
  /** Why it is missing; null when it is here. */
  missing(): string | null;
}

/** The machine: whether packages can be installed, and how. */
export interface System {
  canInstall: boolean;
  install(packages: readonly string[]): boolean;
  log(line: string): void;
}

/** The command that installs `packages`, as root on Debian. */
export function installCommand(packages: readonly string[]): string {
  return `apt-get install -y ${packages.join(' ')}`;
}

/**
 * Makes sure of `need`: installs its packages where the system can. Returns null when it is here
 * (now), else why not, with the command to run.
 */
export function ensure(need: Need, system: System): string | null {
  const before = need.missing();
  if (!before) return null;
  if (!system.canInstall) return `${before}\n  To get it: ${installCommand(need.packages)}  (as root on Debian or Ubuntu)`;
  system.log(`${need.name} is missing (${before.split('\n')[0]}): installing Debian's ${need.packages.join(', ')} with ${installCommand(need.packages)}`);
  const installed = system.install(need.packages);
  const after = need.missing();
  if (!after) return null;
  return `${after}\n  ${installed ? 'Installed' : 'Could not install'} ${need.packages.join(', ')}; by hand: ${installCommand(need.packages)}`;
}

/** This machine: root on Debian with apt-get can install (`apt-get update` first: a fresh image has no package lists). */
export function thisSystem(): System {
  return {
    canInstall: process.getuid?.() === 0 && existsSync('/etc/debian_version') && existsSync('/usr/bin/apt-get'),
    install(packages) {
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
      const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
      if (update.status !== 0) return false;
      return spawnSync('apt-get', ['install', '-y', '-qq', ...packages], { stdio: 'inherit', env }).status === 0;
    },
    log: (line) => console.log(`[npm test] ${line}`),
  };
}
