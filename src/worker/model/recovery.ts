/**
 * Recovery from a lost GPU. tfjs ignores WebGPU device loss (reads then return zeros) and a lost
 * WebGL context fails every kernel, so after a loss the model gives no scores until it is rebuilt
 * on another backend: wasm after a GPU backend, else cpu. Success is reported as `recovered`; a
 * loss no backend can take over from as `degraded`, never as `recovered`.
 */
import type { Fallback } from '../../shared/errors';
import type { BackendName } from '../../shared/types';
import { chooseBackend, watchBackendLoss, type BackendChoice } from './backend';

/** What recovery needs from the engine. */
export interface RecoveryHost {
  /** False once the engine is closed: a loss then needs no recovery. */
  active(): boolean;
  /** Rebuilds the model on the backend just chosen. */
  rebuild(choice: BackendChoice): Promise<void>;
  recovered(backend: BackendName, reason: string): void;
  degraded(failure: Fallback): void;
}

/** The backend to move to after losing `lost`. */
export function nextBackend(lost: BackendName): BackendName {
  return lost === 'webgpu' || lost === 'webgl' ? 'wasm' : 'cpu';
}

export class BackendRecovery {
  /** Why the backend is lost, while the model is not yet rebuilt elsewhere. */
  private lost: string | null = null;

  constructor(private readonly host: RecoveryHost) {}

  /** Watches the backend now in use, `current`; after a rebuild the new one is watched in turn. */
  watch(current: BackendChoice): void {
    watchBackendLoss((why) => {
      if (this.host.active()) void this.recover(current, why);
    });
  }

  /** False while the backend is lost (and for good when no other could take over): never rank on zeros. */
  available(): boolean {
    return this.lost === null;
  }

  private async recover(current: BackendChoice, why: string): Promise<void> {
    const { backend: lost, gpu } = current;
    this.lost = why;
    try {
      const choice = { ...(await chooseBackend(nextBackend(lost), { gpu })), reason: `${why}; moved from ${lost}` };
      await this.host.rebuild(choice);
      this.lost = null;
      this.host.recovered(choice.backend, choice.reason);
      this.watch(choice);
    } catch (error) {
      this.host.degraded({ code: 'BACKEND_UNAVAILABLE', message: `${why}; recovery failed: ${String(error)}` });
    }
  }
}
