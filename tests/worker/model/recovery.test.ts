/**
 * GPU-loss recovery without a GPU: the backend module is replaced, so a test can lose the
 * backend at will and make the move to another one succeed or fail.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { BackendChoice } from '../../../src/worker/model/backend';
import { BackendRecovery, nextBackend } from '../../../src/worker/model/recovery';

const backend = vi.hoisted(() => ({
  onLost: [] as Array<(why: string) => void>,
  choose: vi.fn(),
}));

vi.mock('../../../src/worker/model/backend', () => ({
  watchBackendLoss: (onLost: (why: string) => void) => backend.onLost.push(onLost),
  chooseBackend: backend.choose,
}));

const WEBGL: BackendChoice = { backend: 'webgl', reason: 'measured', gpu: { adapter: 'hardware' }, timings: {} };

function setup() {
  const calls = { recovered: [] as string[], degraded: [] as Array<{ code: string; message: string }>, rebuilt: [] as BackendChoice[] };
  const recovery = new BackendRecovery({
    active: () => true,
    rebuild: async (choice) => {
      calls.rebuilt.push(choice);
    },
    recovered: (b) => calls.recovered.push(b),
    degraded: (failure) => calls.degraded.push(failure),
  });
  recovery.watch(WEBGL);
  return { recovery, calls };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('BackendRecovery', () => {
  beforeEach(() => {
    backend.onLost.length = 0;
    backend.choose.mockReset();
  });

  it('moves from a GPU backend to wasm, from the others to cpu', () => {
    expect(nextBackend('webgpu')).toBe('wasm');
    expect(nextBackend('webgl')).toBe('wasm');
    expect(nextBackend('wasm')).toBe('cpu');
  });

  it('a recovered loss: refuses to rank meanwhile, rebuilds, reports `recovered` and watches the new backend', async () => {
    let finish!: (choice: BackendChoice) => void;
    backend.choose.mockReturnValue(new Promise((resolve) => (finish = resolve)));
    const { recovery, calls } = setup();
    expect(recovery.available()).toBe(true);
    backend.onLost[0]('WebGL context lost');
    expect(recovery.available()).toBe(false);
    await settle();
    expect(backend.choose).toHaveBeenCalledWith('wasm', { gpu: WEBGL.gpu });
    finish({ backend: 'wasm', reason: 'forced', gpu: WEBGL.gpu, timings: {} });
    await settle();
    expect(calls.rebuilt[0]).toMatchObject({ backend: 'wasm', reason: 'WebGL context lost; moved from webgl' });
    expect(calls).toMatchObject({ recovered: ['wasm'], degraded: [] });
    expect(recovery.available()).toBe(true);
    expect(backend.onLost).toHaveLength(2);
  });

  it('a loss no backend takes over: `degraded` with BACKEND_UNAVAILABLE, never `recovered`', async () => {
    backend.choose.mockRejectedValue(new Error('the cpu backend failed its own probe'));
    const { recovery, calls } = setup();
    backend.onLost[0]('WebGPU device lost: destroyed');
    await settle();
    await settle();
    expect(calls.recovered).toEqual([]);
    expect(calls.degraded).toEqual([
      { code: 'BACKEND_UNAVAILABLE', message: expect.stringMatching(/^WebGPU device lost: destroyed; recovery failed: .*own probe/) },
    ]);
    expect(calls.rebuilt).toEqual([]);
    expect(recovery.available()).toBe(false);
  });
});
