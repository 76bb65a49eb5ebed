/**
 * Where each engine's browser is, and getting it where it is missing: Debian's packages, installed
 * with apt-get when running as root on Debian (as CI does), otherwise the exact command to run.
 * `npx tsx scripts/engines/install.ts [chromium,firefox,webkit]` ensures them and prints their versions.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromiumPath } from '../chromium';
import { ENGINE_NAMES, type EngineName } from './driver';

export interface WebKitPaths {
  driver: string;
  miniBrowser: string;
  /** Xvfb, needed where there is no `$DISPLAY`. */
  xvfb: string | null;
}

function onPath(command: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(`${dir}/${command}`)) return `${dir}/${command}`;
  }
  return null;
}

export function firefoxPath(): string | null {
  const chosen = process.env.FIREFOX_PATH;
  if (chosen) return existsSync(chosen) ? chosen : null;
  return ['/usr/bin/firefox-esr', '/usr/bin/firefox'].find((p) => existsSync(p)) ?? null;
}

/** WebKitGTK's MiniBrowser: `$MINIBROWSER_PATH`, else the one Debian's libwebkit2gtk installs. */
function miniBrowserPath(): string | null {
  const chosen = process.env.MINIBROWSER_PATH;
  if (chosen) return existsSync(chosen) ? chosen : null;
  for (const lib of ['/usr/lib', '/usr/libexec']) {
    for (const arch of existsSync(lib) ? readdirSync(lib) : []) {
      for (const version of ['webkit2gtk-4.1', 'webkit2gtk-4.0', 'webkitgtk-6.0']) {
        const path = `${lib}/${arch}/${version}/MiniBrowser`;
        if (existsSync(path)) return path;
      }
    }
  }
  return null;
}

export function webkitPaths(): WebKitPaths | null {
  const driver = process.env.WEBKIT_WEBDRIVER_PATH ?? onPath('WebKitWebDriver');
  const miniBrowser = miniBrowserPath();
  const xvfb = onPath('Xvfb');
  if (!driver || !existsSync(driver) || !miniBrowser || (!process.env.DISPLAY && !xvfb)) return null;
  return { driver, miniBrowser, xvfb };
}

/** Debian's packages that give each engine. */
const PACKAGES: Record<EngineName, string[]> = {
  chromium: ['chromium'],
  firefox: ['firefox-esr'],
  webkit: ['webkit2gtk-driver', 'xvfb'],
};

function found(engine: EngineName): boolean {
  if (engine === 'chromium') {
    try {
      chromiumPath();
      return true;
    } catch {
      return false;
    }
  }
  return engine === 'firefox' ? firefoxPath() !== null : webkitPaths() !== null;
}

const isDebian = () => existsSync('/etc/debian_version');
const isRoot = () => process.getuid?.() === 0;

/** The command that gets the missing engines on this machine. */
export function installCommand(engines: EngineName[]): string {
  const packages = engines.flatMap((e) => PACKAGES[e]);
  return isDebian() ? `sudo apt-get install -y ${packages.join(' ')}` : `install your distribution's ${packages.join(', ')} (or set CHROMIUM_PATH, FIREFOX_PATH, WEBKIT_WEBDRIVER_PATH and MINIBROWSER_PATH)`;
}

/**
 * Makes sure each engine's browser is here: installs Debian's packages as root on Debian, else
 * throws with the command to run. Never skips an engine silently.
 */
export function ensureEngines(engines: readonly EngineName[]): void {
  const missing = engines.filter((e) => !found(e));
  if (missing.length === 0) return;
  if (isRoot() && isDebian()) {
    const packages = missing.flatMap((e) => PACKAGES[e]);
    console.error(`[engines] installing Debian's ${packages.join(' ')} for ${missing.join(', ')}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    const install = spawnSync('apt-get', ['install', '-y', '-qq', ...packages], { stdio: ['ignore', 'ignore', 'inherit'], env });
    const still = missing.filter((e) => !found(e));
    if (install.status === 0 && still.length === 0) return;
    throw new Error(`apt-get could not install ${packages.join(' ')}; still missing: ${still.join(', ')}`);
  }
  throw new Error(`No browser for ${missing.join(', ')}. Get ${missing.length > 1 ? 'them' : 'it'}, then run the tests again:\n  ${installCommand(missing)}`);
}

/** The engines a run asks for: `$LOCALRANK_ENGINES` (comma-separated), else all three. */
export function requestedEngines(): EngineName[] {
  const list = (process.env.LOCALRANK_ENGINES ?? ENGINE_NAMES.join(','))
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  for (const e of list) if (!ENGINE_NAMES.includes(e as EngineName)) throw new Error(`LOCALRANK_ENGINES: unknown engine ${e} (known: ${ENGINE_NAMES.join(', ')})`);
  return list as EngineName[];
}

/** The versions of the browsers, read from the binaries (no browser started). */
export function binaryVersions(): Record<EngineName, string> {
  const run = (file: string, args: string[]) => {
    try {
      return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n')[0]!;
    } catch {
      return 'unknown';
    }
  };
  let chromium = 'missing';
  try {
    chromium = run(chromiumPath() ?? 'chromium', ['--version']);
  } catch {
    // not installed
  }
  const firefox = firefoxPath();
  const webkit = webkitPaths();
  let webkitVersion = 'missing';
  if (webkit) {
    const pkg = spawnSync('dpkg-query', ['-W', '-f', '${Version}', 'libwebkit2gtk-4.1-0'], { encoding: 'utf8' });
    webkitVersion = pkg.status === 0 ? `WebKitGTK ${pkg.stdout.trim()}` : 'WebKitGTK (version unknown)';
  }
  return { chromium, firefox: firefox ? run(firefox, ['--version']) : 'missing', webkit: webkitVersion };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const engines = process.argv[2] ? (process.argv[2].split(',') as EngineName[]) : requestedEngines();
    ensureEngines(engines);
    const versions = binaryVersions();
    for (const e of engines) console.log(`${e}: ${versions[e]}`);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}

export const osRelease = () => (existsSync('/etc/os-release') ? /PRETTY_NAME="([^"]+)"/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? 'unknown' : 'unknown');
