import { describe, expect, it } from 'vitest';
import { LocalrankError } from '../../../src/shared/errors';
import { loadModel, sha256Hex } from '../../../src/worker/model/loader';
import { MODEL_LIMITS } from '../../../src/worker/model/scorer';
import { fixtureArtifacts } from '../helpers';

const url = 'https://shop.example/m/manifest.json';
const weightsUrl = 'https://shop.example/m/weights.bin';

/** Serves the fixture model, with the manifest patched and the bodies replaced as a test asks; counts weights requests. */
async function fakeServer(options: { manifest?: Record<string, unknown>; weights?: () => BodyInit; manifestBody?: () => BodyInit } = {}) {
  const { manifest, weights } = fixtureArtifacts();
  const served = { ...manifest, weights: { ...manifest.weights, sha256: await sha256Hex(weights) }, ...options.manifest };
  const requests = { weights: 0 };
  const fetch = (async (input: string | URL | Request) => {
    const target = String(input);
    if (target === url) return new Response(options.manifestBody?.() ?? JSON.stringify(served));
    if (target === weightsUrl) {
      requests.weights++;
      return new Response(options.weights?.() ?? weights.slice(0));
    }
    return new Response('no', { status: 404 });
  }) as typeof globalThis.fetch;
  return { fetch, requests, manifest: served };
}

/** A body that never ends: 64 kB chunks for as long as anyone reads; counts the bytes handed out. */
function endless(counter: { bytes: number }): ReadableStream<Uint8Array> {
  return new ReadableStream({
    pull(controller) {
      counter.bytes += 65_536;
      controller.enqueue(new Uint8Array(65_536));
    },
  });
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  const error = await p.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(LocalrankError);
  return (error as LocalrankError).code;
}

describe('loadModel', () => {
  it('loads weights that match the manifest and reports progress', async () => {
    const progress: string[] = [];
    const { fetch } = await fakeServer();
    const model = await loadModel(url, { fetch, onProgress: (p) => progress.push(p.status) });
    expect(model.weights.byteLength).toBe(fixtureArtifacts().weights.byteLength);
    expect(progress[0]).toBe('download');
    expect(progress).toContain('progress');
  });

  it('refuses truncated or tampered weights', async () => {
    const truncated = await fakeServer({ weights: () => fixtureArtifacts().weights.slice(0, 1000) });
    expect(await codeOf(loadModel(url, { fetch: truncated.fetch }))).toBe('MODEL_INTEGRITY');
    const { manifest } = fixtureArtifacts();
    const tampered = await fakeServer({ manifest: { weights: { ...manifest.weights, sha256: '00'.repeat(32) } } });
    expect(await codeOf(loadModel(url, { fetch: tampered.fetch }))).toBe('MODEL_INTEGRITY');
  });

  it('refuses a manifest of another format, and reports HTTP errors', async () => {
    const other = await fakeServer({ manifest: { format: 'tfjs-layers' } });
    expect(await codeOf(loadModel(url, { fetch: other.fetch }))).toBe('MODEL_INTEGRITY');
    const { fetch } = await fakeServer();
    expect(await codeOf(loadModel('https://shop.example/none.json', { fetch }))).toBe('MODEL_LOAD_FAILED');
  });
});

describe('the loader has resource limits', () => {
  it('stops reading an endless weights response at the size the manifest declares', async () => {
    const counter = { bytes: 0 };
    const { fetch } = await fakeServer({ weights: () => endless(counter) });
    expect(await codeOf(loadModel(url, { fetch }))).toBe('MODEL_INTEGRITY');
    // The fixture declares 68 kB: reading stopped within a chunk or two of it.
    expect(counter.bytes).toBeLessThan(fixtureArtifacts().weights.byteLength + 4 * 65_536);
  });

  it('stops reading an endless manifest at the manifest limit', async () => {
    const counter = { bytes: 0 };
    const { fetch, requests } = await fakeServer({ manifestBody: () => endless(counter) });
    expect(await codeOf(loadModel(url, { fetch }))).toBe('MODEL_INTEGRITY');
    expect(counter.bytes).toBeLessThan(MODEL_LIMITS.manifestBytes + 4 * 65_536);
    expect(requests.weights).toBe(0);
  });

  it('refuses, before downloading weights, a manifest whose config sizes work beyond the limits', async () => {
    const { manifest } = fixtureArtifacts();
    const patches: Array<Record<string, unknown>> = [
      { config: { ...manifest.config, maxTokens: 2e7 } },
      { config: { ...manifest.config, maxHistory: 1e6 } },
      { config: { ...manifest.config, heads: 3 } },
      { config: { ...manifest.config, eventTypes: ['click', 'click'] } },
      { weights: { ...manifest.weights, byteLength: MODEL_LIMITS.weightsBytes + 4 } },
      { weights: { ...manifest.weights, byteLength: manifest.weights.byteLength * 2 } },
      { vocabulary: { tokens: Array.from({ length: MODEL_LIMITS.vocabulary + 1 }, () => 'x') } },
      { tensors: manifest.tensors.map((t) => ({ ...t, offset: 0 })) },
    ];
    for (const patch of patches) {
      const { fetch, requests } = await fakeServer({ manifest: patch });
      expect(await codeOf(loadModel(url, { fetch })), JSON.stringify(patch).slice(0, 80)).toBe('MODEL_INTEGRITY');
      expect(requests.weights).toBe(0);
    }
  });

  it('a missing model answered with a page (an SPA fallback) is MODEL_LOAD_FAILED, saying where it looked and what to set', async () => {
    const html = (async () => new Response('<!doctype html><title>shop</title>', { headers: { 'content-type': 'text/html' } })) as typeof fetch;
    const error = (await loadModel(url, { fetch: html }).catch((e: unknown) => e)) as LocalrankError;
    expect(error.code).toBe('MODEL_LOAD_FAILED');
    expect(error.message).toContain(url);
    expect(error.message).toMatch(/HTML page.*`model` option/);
    const missing = (await loadModel('https://shop.example/none.json', { fetch: (await fakeServer()).fetch }).catch((e: unknown) => e)) as LocalrankError;
    expect(missing.message).toMatch(/no model at https:\/\/shop\.example\/none\.json \(HTTP 404\).*`model` option/);
  });

  it('takes the weights from where a bundler put them, not beside the manifest', async () => {
    const serve = (await fakeServer()).fetch;
    const moved = (async (u: string | URL | Request) => {
      if (String(u) === weightsUrl) return new Response('no', { status: 404 });
      return serve(String(u) === 'https://cdn.example/assets/weights-1a2b.bin' ? weightsUrl : u);
    }) as typeof fetch;
    const model = await loadModel(url, { fetch: moved, weights: 'https://cdn.example/assets/weights-1a2b.bin' });
    expect(model.weights.byteLength).toBe(fixtureArtifacts().weights.byteLength);
  });
});
