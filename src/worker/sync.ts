/**
 * Coordination between the tabs of one shop (one namespace on one origin), each with its own
 * worker over the same IndexedDB database: one trainer at a time (Web Locks), and news for the
 * others when weights, events or a `forget()` change what they hold in memory (BroadcastChannel).
 * Where either API is missing (Node, old browsers), or the engine has storage of its own (an
 * injected IndexedDB, as in the Node evaluation), an engine simply works alone.
 */
import * as env from '../shared/env';
import { channelName, trainLockName } from '../shared/names';

export type TabMessage =
  | { type: 'weights'; savedAt: number }
  | { type: 'events' }
  | { type: 'forget' };

export class TabSync {
  private readonly channel: BroadcastChannel | null;
  private readonly lockName: string;

  constructor(
    namespace: string,
    onMessage: (message: TabMessage) => void,
    private readonly shared = true,
  ) {
    this.lockName = trainLockName(namespace);
    this.channel = shared && env.hasBroadcastChannel() ? new BroadcastChannel(channelName(namespace)) : null;
    this.channel?.addEventListener('message', (event: MessageEvent<TabMessage>) => {
      if (event.data && typeof event.data.type === 'string') onMessage(event.data);
    });
  }

  /**
   * Runs `work` holding the namespace's training lock, after any other tab's run has finished.
   * The lock is released when `work` settles, or by the browser when the tab closes.
   */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const locks = this.shared ? env.locks() : undefined;
    return locks ? locks.request(this.lockName, work) : work();
  }

  /** Tells the other tabs (never this one: BroadcastChannel skips the sender). */
  post(message: TabMessage): void {
    try {
      this.channel?.postMessage(message);
    } catch {
      // a closed channel: nobody left to tell
    }
  }

  close(): void {
    this.channel?.close();
  }
}

/** Reads attempted after the database was closed under us: the first ones can still fail. */
const REFRESH_ATTEMPTS = 4;
const REFRESH_RETRY_MS = 250;

/**
 * Re-reads what another tab, or the browser clearing site data, may have changed under this
 * engine. A burst of requests coalesces into one re-read, plus one more when a request arrives
 * while a re-read runs; a failing re-read is retried a few times.
 */
export class Refresh {
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly reload: () => Promise<void>,
    private readonly stopped: () => boolean,
  ) {}

  request(): void {
    if (this.stopped()) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        for (let attempt = 0; attempt < REFRESH_ATTEMPTS && !this.stopped(); attempt++) {
          if (await this.reload().then(() => true, () => false)) break;
          await new Promise((resolve) => setTimeout(resolve, REFRESH_RETRY_MS));
        }
      } while (this.again && !this.stopped());
    })().finally(() => {
      this.running = null;
    });
  }
}
