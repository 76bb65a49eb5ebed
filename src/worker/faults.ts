/**
 * Fault injection for the browser fault suite (tests/browser/faults.spec.ts); not an API. Only
 * code that holds this Worker object (the host page, which can terminate it anyway) can post
 * `{ localrankFault: name }`; comlink ignores such messages. Faults:
 * - `lose-gpu`: loses the GPU under the current backend (WebGL context loss, WebGPU `device.destroy()`);
 * - `exit`: the worker closes itself mid-call, as a crash does (no answer, no error event);
 * - `throw`: an uncaught error, which the page sees as the worker's `error` event;
 * - `hang`: the worker's thread spins forever (a stuck kernel); only `terminate()` ends it.
 */
type Fault = 'lose-gpu' | 'exit' | 'throw' | 'hang';

/** `loseGpu`: the model part's own hook (it holds the backend); nothing happens while none is loaded. */
export function installFaultHooks(
  scope: { addEventListener(type: 'message', listener: (event: MessageEvent) => void): void; close(): void },
  loseGpu: () => void,
): void {
  scope.addEventListener('message', (event: MessageEvent) => {
    const fault = (event.data as { localrankFault?: Fault } | null)?.localrankFault;
    if (!fault) return;
    if (fault === 'lose-gpu') loseGpu();
    else if (fault === 'exit') scope.close();
    else if (fault === 'throw') setTimeout(() => {
      throw new Error('injected fault');
    });
    else if (fault === 'hang') for (;;);
  });
}
