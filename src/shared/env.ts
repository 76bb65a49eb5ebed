/**
 * Facts about the JavaScript environment localrank runs in (a page, a worker, or Node for the
 * evaluation), read in one place. Each is read when asked, never at import: a worker's globals
 * differ from a page's, and tests change globals after loading.
 */

interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/** The WebGPU adapter as far as backend choice reads it. */
export interface GpuAdapterLike {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
}

/** The origin's IndexedDB; undefined in Node. Throws where the browser forbids it (some private modes). */
export function indexedDb(): IDBFactory | undefined {
  return globalThis.indexedDB;
}

/** Web Locks, which let one tab at a time train; undefined in Node and old browsers. */
export function locks(): LockManagerLike | undefined {
  return (globalThis.navigator as { locks?: LockManagerLike } | undefined)?.locks;
}

/** BroadcastChannel, over which tabs tell each other about new weights and events. */
export function hasBroadcastChannel(): boolean {
  return typeof BroadcastChannel === 'function';
}

/** WebGPU's entry point, where the browser has one. */
export function webGpu(): { requestAdapter(): Promise<GpuAdapterLike | null> } | undefined {
  return (globalThis.navigator as { gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> } } | undefined)?.gpu;
}

/** The WebGL2 renderer's name (unmasked where allowed), or null without OffscreenCanvas or WebGL2. */
export function webglRenderer(): string | null {
  if (typeof OffscreenCanvas === 'undefined') return null;
  const gl = new OffscreenCanvas(1, 1).getContext('webgl2');
  if (!gl) return null;
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return renderer;
}

/**
 * Whether wasm may be compiled here: a page whose CSP lacks 'wasm-unsafe-eval' forbids it.
 * Checking with the smallest valid module keeps tfjs from trying (and warning in the shop's console).
 */
export function wasmAllowed(): boolean {
  try {
    new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
    return true;
  } catch {
    return false;
  }
}

/** The browser's user agent, or `'node'`. */
export function userAgent(): string {
  return globalThis.navigator?.userAgent ?? 'node';
}

/** The JS heap in use, where the browser tells (Chromium's `performance.memory`). */
export function heapBytes(): number | undefined {
  return (globalThis.performance as { memory?: { usedJSHeapSize?: number } } | undefined)?.memory?.usedJSHeapSize;
}

/** A random unique id (a UUID where `crypto.randomUUID` exists: it needs a secure context). */
export function randomId(): string {
  return globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

/** The URL of this page or worker, against which option URLs resolve; undefined in Node. */
export function locationUrl(): string | undefined {
  return globalThis.location?.href;
}

/** The document's base URL (its `<base href>`), else the location. */
export function documentBaseUrl(): string {
  return globalThis.document?.baseURI ?? globalThis.location.href;
}
