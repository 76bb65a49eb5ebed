/**
 * Watches every request this page makes, so the demo can show, from observation rather than promise,
 * how many bytes left the device. Requests that carry a body (fetch, XMLHttpRequest, sendBeacon,
 * WebSocket messages) are counted as "sent"; everything the page loads (code, catalogue, model) is listed
 * from the Resource Timing API as a download.
 *
 * Import it before anything else so that it wraps the network APIs before the first request.
 */

export interface SentRecord {
  via: 'fetch' | 'xhr' | 'beacon' | 'websocket';
  url: string;
  method: string;
  /** Body size in bytes, or null when it cannot be known without reading a stream. */
  bytes: number | null;
  at: number;
}

export interface DownloadRecord {
  url: string;
  /** What started it: script, fetch, link, css, other... */
  initiator: string;
  /** Bytes over the wire (0 when served from the cache), else the encoded body size. */
  bytes: number;
}

type Listener = () => void;

export class NetworkWatch {
  readonly sent: SentRecord[] = [];
  readonly downloads: DownloadRecord[] = [];
  private readonly listeners = new Set<Listener>();

  get sentBytes(): number {
    return this.sent.reduce((sum, record) => sum + (record.bytes ?? 0), 0);
  }

  get downloadedBytes(): number {
    return this.downloads.reduce((sum, record) => sum + record.bytes, 0);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  recordSent(record: Omit<SentRecord, 'at'>): void {
    this.sent.push({ ...record, at: Date.now() });
    this.notify();
  }

  recordDownload(record: DownloadRecord): void {
    this.downloads.push(record);
    this.notify();
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}

const encoder = new TextEncoder();

/** Size of a request body as the browser would send it; null for a stream. */
export function bodyBytes(body: unknown): number | null {
  if (body === undefined || body === null) return 0;
  if (typeof body === 'string') return encoder.encode(body).byteLength;
  if (body instanceof Blob) return body.size;
  if (body instanceof ArrayBuffer) return body.byteLength;
  if (ArrayBuffer.isView(body)) return body.byteLength;
  if (body instanceof URLSearchParams) return encoder.encode(body.toString()).byteLength;
  if (body instanceof FormData) {
    let total = 0;
    for (const [name, value] of body) {
      total += encoder.encode(name).byteLength + (typeof value === 'string' ? encoder.encode(value).byteLength : value.size);
    }
    return total;
  }
  return null;
}

function urlOf(input: RequestInfo | URL): string {
  if (typeof input === 'string') return new URL(input, location.href).href;
  if (input instanceof URL) return input.href;
  return input.url;
}

/** Wraps fetch, XMLHttpRequest, sendBeacon and WebSocket and observes resource entries. Call once. */
export function installNetworkWatch(): NetworkWatch {
  const watch = new NetworkWatch();

  const originalFetch = globalThis.fetch.bind(globalThis);
  globalThis.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : null;
    const method = (init?.method ?? request?.method ?? 'GET').toUpperCase();
    if (init?.body !== undefined && init.body !== null) {
      watch.recordSent({ via: 'fetch', url: urlOf(input), method, bytes: bodyBytes(init.body) });
    } else if (request?.body) {
      // The body of a Request object can only be sized by reading a copy of it.
      void request
        .clone()
        .arrayBuffer()
        .then((buffer) => watch.recordSent({ via: 'fetch', url: request.url, method, bytes: buffer.byteLength }));
    }
    return originalFetch(input, init);
  };

  const xhr = XMLHttpRequest.prototype;
  const originalOpen = xhr.open;
  const originalSend = xhr.send;
  const opened = new WeakMap<XMLHttpRequest, { method: string; url: string }>();
  xhr.open = function (this: XMLHttpRequest, method: string, url: string | URL, ...rest: unknown[]) {
    opened.set(this, { method: method.toUpperCase(), url: new URL(url, location.href).href });
    return (originalOpen as (...args: unknown[]) => void).call(this, method, url, ...rest);
  } as typeof xhr.open;
  xhr.send = function (this: XMLHttpRequest, body?: Document | XMLHttpRequestBodyInit | null) {
    const meta = opened.get(this) ?? { method: 'GET', url: '' };
    if (body !== undefined && body !== null) {
      const bytes = body instanceof Document ? encoder.encode(new XMLSerializer().serializeToString(body)).byteLength : bodyBytes(body);
      watch.recordSent({ via: 'xhr', url: meta.url, method: meta.method, bytes });
    }
    return originalSend.call(this, body);
  };

  const nav = navigator;
  if (typeof nav.sendBeacon === 'function') {
    const originalBeacon = nav.sendBeacon.bind(nav);
    nav.sendBeacon = (url: string | URL, data?: BodyInit | null) => {
      watch.recordSent({ via: 'beacon', url: new URL(url, location.href).href, method: 'POST', bytes: bodyBytes(data) });
      return originalBeacon(url, data);
    };
  }

  const socket = WebSocket.prototype;
  const originalSocketSend = socket.send;
  socket.send = function (this: WebSocket, data: string | ArrayBufferLike | Blob | ArrayBufferView) {
    watch.recordSent({ via: 'websocket', url: this.url, method: 'SEND', bytes: bodyBytes(data) });
    return originalSocketSend.call(this, data);
  };

  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as PerformanceResourceTiming[]) {
      if (entry.initiatorType === 'beacon') continue;
      watch.recordDownload({
        url: entry.name,
        initiator: entry.initiatorType,
        bytes: entry.transferSize || entry.encodedBodySize,
      });
    }
  });
  observer.observe({ type: 'resource', buffered: true });
  return watch;
}
