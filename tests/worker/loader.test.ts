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
});
