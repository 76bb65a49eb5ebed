/**
 * WebKit (Safari's engine) as WebKitGTK's MiniBrowser, through its W3C WebDriver server
 * (`WebKitWebDriver`) with selenium-webdriver, under Xvfb where there is no display. One
 * WebKitWebDriver per launched browser, one WebDriver session (one MiniBrowser) per page.
 * MiniBrowser in automation mode always keeps site data in an ephemeral (private) session: data
 * lives as long as the session. `private` adds `--private` all the same; `denied` turns IndexedDB
 * and localStorage off with WebKit's own settings (`enable-html5-database`,
 * `enable-html5-local-storage`). WebKit's WebDriver reports no network events: `requests()` is null.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Builder, By, Capabilities, type WebDriver } from 'selenium-webdriver';
import { webkitPaths } from './install';
import { pageResult, pageScript, poll, type Driver, type EngineBrowser, type LaunchOptions, type RequestRecord } from './driver';

export const MINIBROWSER_ARGS: Record<string, string[]> = {
  default: ['--automation'],
  private: ['--automation', '--private'],
  denied: ['--automation', '--enable-html5-database=false', '--enable-html5-local-storage=false'],
};

class WebKitDriver implements Driver {
  readonly engine = 'webkit' as const;

  constructor(
    private readonly session: WebDriver,
    private readonly origin: string,
  ) {}

  async goto(url: string): Promise<void> {
    await this.session.get(new URL(url, this.origin).href);
  }

  async reload(): Promise<void> {
    await this.session.navigate().refresh();
  }

  async evaluate<T, A>(fn: (arg: A) => T | Promise<T>, arg?: A): Promise<T> {
    const raw = await this.session.executeAsyncScript(`const done = arguments[arguments.length - 1]; ${pageScript(fn, arg)}.then(done);`);
    return pageResult<T>(this.engine, raw);
  }

  waitFor<T, A>(fn: (arg: A) => T | Promise<T>, arg?: A, options?: { timeoutMs?: number; what?: string }): Promise<NonNullable<T>> {
    return poll(this, fn, arg as A, options);
  }

  async click(selector: string): Promise<void> {
    await this.session.findElement(By.css(selector)).click();
  }

  requests(): RequestRecord[] | null {
    return null;
  }

  async close(): Promise<void> {
    await this.session.quit();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts Xvfb on a display number it picks itself (`-displayfd`), so runs side by side never clash. */
function startXvfb(xvfb: string): Promise<{ display: string; process: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn(xvfb, ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    child.stdio[3]!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve({ display: `:${out.trim()}`, process: child });
    });
    child.on('exit', (code) => reject(new Error(`Xvfb exited (${code}): ${err.trim().split('\n').pop()}`)));
  });
}

async function waitForDriver(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`WebKitWebDriver exited (${child.exitCode})`);
    try {
      if ((await fetch(`${url}/status`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('WebKitWebDriver did not answer within 15 s');
}

export async function launchWebKit(origin: string, options: LaunchOptions = {}): Promise<EngineBrowser> {
  const paths = webkitPaths();
  if (!paths) throw new Error('no WebKit: apt-get install webkit2gtk-driver xvfb');
  if (options.profile) throw new Error('WebKit under WebDriver runs in an ephemeral session: there is no profile to keep');
  const xvfb = process.env.DISPLAY ? null : await startXvfb(paths.xvfb!);
  const display = xvfb?.display ?? process.env.DISPLAY!;
  const port = await freePort();
  const driverProcess = spawn(paths.driver, [`--port=${port}`], { stdio: 'ignore', env: { ...process.env, DISPLAY: display } });
  const url = `http://127.0.0.1:${port}`;
  const stop = () => {
    driverProcess.kill();
    xvfb?.process.kill();
  };
  try {
    await waitForDriver(url, driverProcess);
  } catch (error) {
    stop();
    throw error;
  }
  const args = MINIBROWSER_ARGS[options.storage ?? 'default']!;
  const sessions = new Set<WebDriver>();
  let version = 'WebKitGTK';
  const open = async () => {
    const capabilities = new Capabilities({ browserName: 'MiniBrowser', 'webkitgtk:browserOptions': { binary: paths.miniBrowser, args } });
    const session = await new Builder().usingServer(url).withCapabilities(capabilities).build();
    sessions.add(session);
    await session.manage().setTimeouts({ script: 120_000, pageLoad: 60_000 });
    await session.manage().window().setRect({ width: 1280, height: 800 });
    version = `WebKitGTK ${(await session.getCapabilities()).get('browserVersion')}`;
    return session;
  };
  // The version is the MiniBrowser's, which only a session tells.
  await (await open()).quit().then(() => sessions.clear());
  return {
    engine: 'webkit',
    get version() {
      return version;
    },
    async newPage() {
      const session = await open();
      const driver = new WebKitDriver(session, origin);
      return Object.assign(driver, {
        close: async () => {
          sessions.delete(session);
          await session.quit();
        },
      });
    },
    async close() {
      await Promise.allSettled([...sessions].map((s) => s.quit()));
      stop();
    },
  };
}
