/**
 * Chromium through Playwright (the Chromium of scripts/chromium.ts). `default` and `private` are
 * both a Playwright browser context, which is Chromium's off-the-record (Incognito) profile;
 * `denied` is a profile whose content settings block all cookies and site data.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { chromiumPath } from '../chromium';
import { PageDriver, type EngineBrowser, type LaunchOptions } from './driver';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--enable-unsafe-webgpu',
  '--enable-unsafe-swiftshader',
];

class ChromiumDriver extends PageDriver {
  readonly engine = 'chromium' as const;

  constructor(page: Page, origin: string, dispose: () => Promise<void>) {
    super(page, origin, dispose);
    page.context().on('request', (r) => this.log.push({ url: r.url(), method: r.method(), body: r.postData() }));
  }
}

export async function launchChromium(origin: string, options: LaunchOptions = {}): Promise<EngineBrowser> {
  const executablePath = chromiumPath();
  const args = [...CHROMIUM_ARGS, ...(options.args ?? [])];
  if (options.storage === 'denied' || options.profile) {
    // A profile of its own: the only way to give Chromium content settings (site data blocked).
    const dir = options.profile ?? mkdtempSync(join(tmpdir(), 'localrank-chromium-'));
    if (options.storage === 'denied') {
      mkdirSync(join(dir, 'Default'), { recursive: true });
      writeFileSync(join(dir, 'Default', 'Preferences'), JSON.stringify({ profile: { default_content_setting_values: { cookies: 2 } } }));
    }
    const context: BrowserContext = await chromium.launchPersistentContext(dir, { executablePath, args });
    const version = `Chromium ${context.browser()?.version() ?? ''}`.trim();
    return {
      engine: 'chromium',
      version,
      async newPage() {
        return new ChromiumDriver(await context.newPage(), origin, async () => {});
      },
      close: () => context.close(),
    };
  }
  const browser = await chromium.launch({ executablePath, args });
  return {
    engine: 'chromium',
    version: `Chromium ${browser.version()}`,
    async newPage() {
      const context = await browser.newContext();
      return new ChromiumDriver(await context.newPage(), origin, () => context.close());
    },
    close: () => browser.close(),
  };
}
