import { defineConfig } from '@playwright/test';
import type { EngineName } from './scripts/engines/driver';
import { requestedEngines } from './scripts/engines/install';

/**
 * The cross-engine tests (tests/engines): the core of the browser suite in Chromium, Firefox and
 * WebKit, one Playwright project per engine, each test written once against the driver interface
 * of scripts/engines. Which test runs in which engine: tests/engines/engines.ts. `npm run
 * test:engines` makes sure the browsers are there first (scripts/engines/install.ts);
 * LOCALRANK_ENGINES=firefox,webkit runs a subset (the closing table says what ran where).
 */
export default defineConfig<{ engine: EngineName }>({
  testDir: 'tests/engines',
  testMatch: '*.spec.ts',
  projects: requestedEngines().map((engine) => ({ name: engine, use: { engine } })),
  timeout: 180_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list'], ['./tests/engines/reporter.ts'], ...(process.env.CI ? ([['json', { outputFile: 'reports/engines.json' }]] as const) : [])],
});
