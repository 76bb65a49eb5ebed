/**
 * Firefox (Debian's ESR) through puppeteer-core over WebDriver BiDi. Each page gets a user context
 * of its own (isolated storage), unless the browser runs on a kept `profile`. `private` starts
 * Firefox in permanent private browsing (`browser.privatebrowsing.autostart`); `denied` blocks all
 * cookies and site data (`network.cookie.cookieBehavior` 2), as the user's setting does.
 */
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { firefoxPath } from './install';
import { PageDriver, type EngineBrowser, type LaunchOptions } from './driver';

export const FIREFOX_PREFS: Record<string, Record<string, unknown>> = {
  default: {},
  private: { 'browser.privatebrowsing.autostart': true },
  denied: { 'network.cookie.cookieBehavior': 2 },
};

class FirefoxDriver extends PageDriver {
  readonly engine = 'firefox' as const;

  constructor(page: Page, origin: string, dispose: () => Promise<void>) {
    super(page, origin, dispose);
    page.on('request', (r) => {
      let body: string | null = null;
      try {
        body = r.postData() ?? null;
      } catch {
        // BiDi does not give every body: the server's log has it
      }
      this.log.push({ url: r.url(), method: r.method(), body });
    });
  }
}

export async function launchFirefox(origin: string, options: LaunchOptions = {}): Promise<EngineBrowser> {
  const executablePath = firefoxPath();
  if (!executablePath) throw new Error('no Firefox: apt-get install firefox-esr, or set FIREFOX_PATH');
  const browser: Browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath,
    headless: true,
    extraPrefsFirefox: FIREFOX_PREFS[options.storage ?? 'default'],
    ...(options.profile ? { userDataDir: options.profile } : {}),
  });
  const version = (await browser.version()).replace(/^firefox\//i, 'Firefox ');
  return {
    engine: 'firefox',
    version,
    async newPage() {
      if (options.profile) {
        const page = await browser.newPage();
        return new FirefoxDriver(page, origin, () => page.close());
      }
      const context = await browser.createBrowserContext();
      return new FirefoxDriver(await context.newPage(), origin, () => context.close());
    },
    close: () => browser.close(),
  };
}
