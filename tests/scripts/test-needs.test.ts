import { describe, expect, it } from 'vitest';
import { ensure, installCommand, type Need, type System } from '../../scripts/test-needs';

/** A need that is there once installed (or from the start). */
function need(present: boolean): Need & { installs: number } {
  const n = {
    installs: 0,
    name: 'PyTorch',
    packages: ['python3-torch'],
    missing: () => (present ? null : '/usr/bin/python3 cannot import torch'),
  };
  return n;
}

function system(canInstall: boolean, target: { installs: number } & Need, works = true): System & { logged: string[] } {
  const logged: string[] = [];
  return {
    canInstall,
    logged,
    install(packages) {
      expect(packages).toEqual(target.packages);
      target.installs++;
      if (works) target.missing = () => null;
      return works;
    },
    log: (line) => void logged.push(line),
  };
}

describe('ensure (what npm test needs)', () => {
  it('installs nothing when the need is met', () => {
    const n = need(true);
    expect(ensure(n, system(true, n))).toBeNull();
    expect(n.installs).toBe(0);
  });

  it('installs the Debian packages where it can (root on Debian), and says so', () => {
    const n = need(false);
    const s = system(true, n);
    expect(ensure(n, s)).toBeNull();
    expect(n.installs).toBe(1);
    expect(s.logged.join('\n')).toContain('installing Debian\'s python3-torch with apt-get install -y python3-torch');
  });

  it('elsewhere, or when installing fails, says why and the exact command', () => {
    const n = need(false);
    expect(ensure(n, system(false, n))).toBe(`/usr/bin/python3 cannot import torch\n  To get it: ${installCommand(['python3-torch'])}  (as root on Debian or Ubuntu)`);
    expect(n.installs).toBe(0);
    const failing = need(false);
    expect(ensure(failing, system(true, failing, false))).toContain('Could not install python3-torch; by hand: apt-get install -y python3-torch');
  });
});
