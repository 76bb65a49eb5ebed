/**
 * The tag on a page three times (fixtures/two-tags): the theme's, a plugin's copy with another
 * namespace, and the theme's pasted twice. The first in the document is in charge whichever file
 * arrives first; the copy with other settings is ignored with a SECOND_TAG warning; the identical
 * copy silently.
 */
import { expect, test } from '@playwright/test';
import type { Diagnosis } from '../../src/tag/tag';
import './window';

for (const [first, delayed] of [
  ['theme', ['plugin', 'again']],
  ['plugin', ['theme', 'again']],
  ['again', ['theme', 'plugin']],
  ['plugin', ['again', 'theme']],
] as const) {
  test(`the first tag of the page is in charge when the copies arrive ${first}, ${delayed.join(', ')}`, async ({ page }) => {
    // Hold back the other copies so that this one runs first.
    const hold: Record<string, number> = { theme: 0, plugin: 0, again: 0 };
    delayed.forEach((name, i) => (hold[name] = 300 * (i + 1)));
    await page.route('**/dist/localrank.iife.js*', async (route) => {
      const query = new URL(route.request().url()).search.slice(1);
      await new Promise((resolve) => setTimeout(resolve, hold[query || 'theme']));
      await route.continue();
    });
    await page.goto('/tests/browser/fixtures/two-tags/index.html');
    await page.waitForFunction(() => window.seen.warnings.length > 0 && window.fakeEngine !== undefined);
    await page.waitForTimeout(1000);
    expect(await page.evaluate(() => window.seen.warnings)).toEqual([
      { code: 'SECOND_TAG', attribute: 'src', skipped: false, tag: 'SCRIPT', id: 'plugin' },
    ]);
    expect(await page.evaluate(async () => ((await window.localrank('diagnose')) as Diagnosis).namespace)).toBe('theme');
    expect(await page.evaluate(() => window.fakeEngine.options.namespace)).toBe('theme');
  });
}
