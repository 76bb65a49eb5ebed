/** Launches any of the three engines behind the one `Driver` interface (driver.ts). */
import type { EngineBrowser, EngineName, LaunchOptions } from './driver';
import { launchChromium } from './chromium';
import { launchFirefox } from './firefox';
import { launchWebKit } from './webkit';

export * from './driver';

export function launchEngine(engine: EngineName, origin: string, options: LaunchOptions = {}): Promise<EngineBrowser> {
  switch (engine) {
    case 'chromium':
      return launchChromium(origin, options);
    case 'firefox':
      return launchFirefox(origin, options);
    case 'webkit':
      return launchWebKit(origin, options);
  }
}
