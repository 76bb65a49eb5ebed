/**
 * Which Chromium the browser tests use: `$CHROMIUM_PATH`, else the distribution's
 * (`/usr/bin/chromium`), else Playwright's own build where one was downloaded. With none, says how
 * to get one, instead of failing deep inside Playwright. `npx tsx scripts/chromium.ts` checks.
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium } from '@playwright/test';

const DISTRIBUTION_CHROMIUM = '/usr/bin/chromium';

const HOW_TO_GET_ONE = `No Chromium for the browser tests. Get one, then run the tests again:
  npx playwright install chromium      Playwright's own build, where it can be downloaded
  sudo apt-get install chromium        Debian's or Ubuntu's package, used from ${DISTRIBUTION_CHROMIUM}
                                       (elsewhere your distribution's Chromium package)
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

/** `chromiumPath()`, or exits with its message (no stack trace: the message is the whole story). */
export function chromiumPathOrExit(): string | undefined {
  try {
    return chromiumPath();
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}

// `npx tsx scripts/chromium.ts` (the first step of `npm test`): as root on Debian, installs Debian's
// Chromium where there is none; elsewhere says how to get one.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { ensureEngines } = await import('./engines/install');
  try {
    ensureEngines(['chromium']);
  } catch {
    chromiumPathOrExit();
  }
}
