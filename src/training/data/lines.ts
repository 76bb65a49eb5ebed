/**
 * Streaming text input (Node only): a file, gzipped or not, as batches of numbered lines, with the
 * bytes read so far for a progress bar. Memory stays at one chunk of about a megabyte, whatever
 * the file size. Batches, not single lines, because an `await` per line costs more than parsing it.
 */
import { createReadStream, statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';

export interface Line {
  text: string;
  /** 1-based line number in the (decompressed) file. */
  number: number;
}

export interface LineOptions {
  encoding?: BufferEncoding;
  /** Called with the bytes read from disk so far (compressed bytes for .gz), once per chunk. */
  onBytes?: (bytes: number) => void;
}

export function isGzip(path: string): boolean {
  return /\.gz$/i.test(path);
}

/** Size on disk, the unit of `onBytes`. */
export function fileBytes(path: string): number {
  return statSync(path).size;
}

export async function* readLineBatches(path: string, options: LineOptions = {}): AsyncGenerator<Line[]> {
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  const input = isGzip(path) ? raw.pipe(createGunzip()) : raw;
  if (input !== raw) raw.on('error', (error) => input.destroy(error));
  input.setEncoding(options.encoding ?? 'utf8');
  let rest = '';
  let number = 0;
  const split = (text: string): Line[] => {
    const parts = text.split('\n');
    return parts.map((t) => {
      number++;
      const line = t.endsWith('\r') ? t.slice(0, -1) : t;
      // A UTF-8 byte order mark would otherwise become part of the first header name.
      return { text: number === 1 && line.charCodeAt(0) === 0xfeff ? line.slice(1) : line, number };
    });
  };
  try {
    for await (const chunk of input as AsyncIterable<string>) {
      options.onBytes?.(raw.bytesRead);
      const text = rest + chunk;
      const end = text.lastIndexOf('\n');
      if (end < 0) {
        rest = text;
        continue;
      }
      rest = text.slice(end + 1);
      yield split(text.slice(0, end));
    }
    if (rest) yield split(rest);
  } finally {
    raw.destroy();
  }
}

/** Calls `handle` on every line, and `afterBatch` after each batch (to stop a bad file early). */
export async function forEachLine(
  path: string,
  handle: (line: Line) => void,
  options: LineOptions & { afterBatch?: () => void } = {},
): Promise<void> {
  for await (const batch of readLineBatches(path, options)) {
    for (const line of batch) handle(line);
    options.afterBatch?.();
  }
}

/** The first `count` non-empty lines (for format detection), without reading the rest. */
export async function firstLines(path: string, count: number, encoding?: BufferEncoding): Promise<string[]> {
  const out: string[] = [];
  for await (const batch of readLineBatches(path, { encoding })) {
    for (const line of batch) {
      if (!line.text.trim()) continue;
      out.push(line.text);
      if (out.length >= count) return out;
    }
  }
  return out;
}
