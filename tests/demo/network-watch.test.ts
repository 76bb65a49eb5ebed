import { describe, expect, it } from 'vitest';
import { bodyBytes, NetworkWatch } from '../../demo/network-watch';

describe('network watch', () => {
  it('sizes request bodies as the browser sends them', () => {
    expect(bodyBytes(undefined)).toBe(0);
    expect(bodyBytes(null)).toBe(0);
    expect(bodyBytes('héllo')).toBe(6);
    expect(bodyBytes(new Uint8Array(7))).toBe(7);
    expect(bodyBytes(new ArrayBuffer(3))).toBe(3);
    expect(bodyBytes(new Blob(['abcd']))).toBe(4);
    expect(bodyBytes(new URLSearchParams({ a: '1', b: '2' }))).toBe(7);
    const form = new FormData();
    form.set('item', '42');
    expect(bodyBytes(form)).toBe(6);
    expect(bodyBytes(new ReadableStream())).toBeNull();
  });

  it('adds up what was sent and tells its listeners', () => {
    const watch = new NetworkWatch();
    let calls = 0;
    watch.subscribe(() => calls++);
    watch.recordSent({ via: 'beacon', url: 'https://x/collect', method: 'POST', bytes: 12 });
    watch.recordSent({ via: 'fetch', url: 'https://x/stream', method: 'POST', bytes: null });
    watch.recordDownload({ url: 'https://x/app.js', initiator: 'script', bytes: 100 });
    expect(watch.sentBytes).toBe(12);
    expect(watch.downloadedBytes).toBe(100);
    expect(calls).toBe(3);
  });
});
