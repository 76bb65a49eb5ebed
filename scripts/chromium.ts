/**
 * Which Chromium the browser tests use: `$CHROMIUM_PATH`, else the distribution's
 * (`/usr/bin/chromium`), else Playwright's own build where one was downloaded. With none, says how
 * to get one, instead of failing deep inside Playwright. `npx tsx scripts/chromium.ts` checks, and
 * installs Debian's where it can (as `npm test` does).
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium } from '@playwright/test';
import { ensure, installCommand, thisSystem, type Need } from './test-needs';

const DISTRIBUTION_CHROMIUM = '/usr/bin/chromium';

/** Debian's package of it: what `npm test` installs where it can. */
export const CHROMIUM_PACKAGES = ['chromium'];

const HOW_TO_GET_ONE = `No Chromium for the browser tests. Get one, then run the tests again:
  npx playwright install chromium      Playwright's own build, where it can be downloaded
  ${installCommand(CHROMIUM_PACKAGES).padEnd(36)} Debian's or Ubuntu's package, as root (npm test does it where it can),
                                       used from ${DISTRIBUTION_CHROMIUM} (elsewhere your distribution's Chromium package)
  CHROMIUM_PATH=/path/to/chrome        any other Chromium or Chrome`;

/** The executable to launch; undefined means Playwright's own build. Throws, saying what to do, without one. */
export function chromiumPath(): string | undefined {
  const chosen = process.env.CHROMIUM_PATH;
  if (chosen) {
    if (!existsSync(chosen)) throw new Error(`CHROMIUM_PATH is ${chosen}, which does not exist.\n${HOW_TO_GET_ONE}`);
    return chosen;
  }
  if (existsSync(DISTRIBUTION_CHROMIUM)) return DISTRIBUTION_CHROMIUM;
  if (existsSync(chromium.executablePath())) return undefined;
  throw new Error(HOW_TO_GET_ONE);
}

/** The browser tests' Chromium as a need of `npm test` (test-needs.ts). */
export const CHROMIUM_NEED: Need = {
  name: 'Chromium',
  packages: CHROMIUM_PACKAGES,
  missing() {
    try {
      chromiumPath();
      return null;
    } catch (error) {
      return (error as Error).message;
    }
  },
};

/** `chromiumPath()`, or exits with its message (no stack trace: the message is the whole story). */
export function chromiumPathOrExit(): string | undefined {
  try {
    return chromiumPath();
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const missing = ensure(CHROMIUM_NEED, thisSystem());
  if (missing) {
    console.error(missing);
    process.exit(1);
  }
  console.log(`Chromium: ${chromiumPath() ?? chromium.executablePath()}`);
}
