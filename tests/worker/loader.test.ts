import { describe, expect, it } from 'vitest';
import { LocalrankError } from '../../src/shared/errors';
import { loadModel, sha256Hex } from '../../src/worker/loader';

async function fakeServer(weights: Uint8Array, manifestPatch: Record<string, unknown> = {}) {
  const manifest = {
    format: 'localrank-model/1',
    version: 'v1',
    weights: { path: 'weights.bin', byteLength: weights.byteLength, sha256: await sha256Hex(weights.slice().buffer) },
    tensors: [],
    items: { ids: [] },
    config: {},
    ...manifestPatch,
  };
  const files: Record<string, BodyInit> = {
    'https://shop.example/m/manifest.json': JSON.stringify(manifest),
    'https://shop.example/m/weights.bin': weights.slice(),
  };
  return (async (url: string | URL | Request) => {
    const body = files[String(url)];
    return body === undefined ? new Response('no', { status: 404 }) : new Response(body);
  }) as typeof fetch;
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  const error = await p.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(LocalrankError);
  return (error as LocalrankError).code;
}

describe('loadModel', () => {
  const url = 'https://shop.example/m/manifest.json';
  const bytes = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);

  it('loads weights that match the manifest and reports progress', async () => {
    const progress: string[] = [];
    const model = await loadModel(url, { fetch: await fakeServer(bytes), onProgress: (p) => progress.push(p.status) });
    expect(model.weights.byteLength).toBe(8);
    expect(progress[0]).toBe('download');
    expect(progress).toContain('progress');
  });

  it('refuses truncated or tampered weights', async () => {
    expect(await codeOf(loadModel(url, { fetch: await fakeServer(bytes, { weights: { path: 'weights.bin', byteLength: 9, sha256: 'x' } }) }))).toBe(
      'MODEL_INTEGRITY',
    );
    const tampered = await fakeServer(bytes, { weights: { path: 'weights.bin', byteLength: 8, sha256: '00'.repeat(32) } });
    expect(await codeOf(loadModel(url, { fetch: tampered }))).toBe('MODEL_INTEGRITY');
  });

  it('refuses a manifest of another format, and reports HTTP errors', async () => {
    expect(await codeOf(loadModel(url, { fetch: await fakeServer(bytes, { format: 'tfjs-layers' }) }))).toBe('MODEL_INTEGRITY');
    expect(await codeOf(loadModel('https://shop.example/none.json', { fetch: await fakeServer(bytes) }))).toBe('MODEL_LOAD_FAILED');
  });

  it('a missing model answered with a page (an SPA fallback) is MODEL_LOAD_FAILED, saying where it looked and what to set', async () => {
    const html = (async () => new Response('<!doctype html><title>shop</title>', { headers: { 'content-type': 'text/html' } })) as typeof fetch;
    const error = (await loadModel(url, { fetch: html }).catch((e: unknown) => e)) as LocalrankError;
    expect(error.code).toBe('MODEL_LOAD_FAILED');
    expect(error.message).toContain(url);
    expect(error.message).toMatch(/HTML page.*`model` option/);
    const missing = (await loadModel('https://shop.example/none.json', { fetch: await fakeServer(bytes) }).catch((e: unknown) => e)) as LocalrankError;
    expect(missing.message).toMatch(/no model at https:\/\/shop\.example\/none\.json \(HTTP 404\).*`model` option/);
  });

  it('takes the weights from where a bundler put them, not beside the manifest', async () => {
    const serve = await fakeServer(bytes);
    const moved = (async (u: string | URL | Request) => {
      if (String(u) === 'https://shop.example/m/weights.bin') return new Response('no', { status: 404 });
      return serve(String(u) === 'https://cdn.example/assets/weights-1a2b.bin' ? 'https://shop.example/m/weights.bin' : u);
    }) as typeof fetch;
    const model = await loadModel(url, { fetch: moved, weights: 'https://cdn.example/assets/weights-1a2b.bin' });
    expect(model.weights.byteLength).toBe(8);
  });
});
