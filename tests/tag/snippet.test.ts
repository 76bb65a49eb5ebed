import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createContext, runInContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { SNIPPET, SNIPPET_TAG, takeQueue } from '../../src/tag/snippet';

/** A bare global object, as a page's `window` is to an inline script. */
function page(): Record<string, any> {
  const context = createContext({});
  runInContext('var window = this;', context);
  return context;
}

describe('the paste-in stub', () => {
  it('queues every call, in order, with all its arguments', () => {
    const win = page();
    runInContext(SNIPPET, win);
    runInContext(`localrank('init', { namespace: 'shop' }); localrank('track', { type: 'click', itemId: 'A' }, function cb() {});`, win);
    const queue = win.localrank.q;
    expect(queue).toHaveLength(2);
    expect(Array.from(queue[0])).toEqual(['init', { namespace: 'shop' }]);
    expect(queue[1][0]).toBe('track');
    expect(typeof queue[1][2]).toBe('function');
  });

  it('pasted twice, keeps the first function and its queue', () => {
    const win = page();
    runInContext(SNIPPET, win);
    runInContext(`localrank('track', 1)`, win);
    const first = win.localrank;
    runInContext(SNIPPET, win);
    runInContext(`localrank('track', 2)`, win);
    expect(win.localrank).toBe(first);
    expect(win.localrank.q.map((args: IArguments) => args[1])).toEqual([1, 2]);
  });

  it('leaves the library alone when the library loaded first', () => {
    const win = page();
    const library = () => 'real';
    win.localrank = library;
    runInContext(SNIPPET, win);
    expect(win.localrank).toBe(library);
  });

  it('is one line without dependencies, and the inline tag is exactly the snippet', () => {
    expect(SNIPPET).not.toMatch(/\n/);
    expect(SNIPPET.length).toBeLessThan(120);
    expect(SNIPPET_TAG).toBe(`<script>${SNIPPET}</script>`);
  });
});

describe('takeQueue', () => {
  it('returns the queued calls as arrays, oldest first, and empties the queue', () => {
    const win = page();
    runInContext(SNIPPET, win);
    runInContext(`localrank('a', 1); localrank('b');`, win);
    const q = win.localrank.q;
    expect(takeQueue(win.localrank)).toEqual([['a', 1], ['b']]);
    expect(q).toHaveLength(0);
  });

  it('ignores anything that is not a stub', () => {
    expect(takeQueue(undefined)).toEqual([]);
    expect(takeQueue({ q: [['a']] })).toEqual([]);
    expect(takeQueue(Object.assign(() => undefined, { q: 'nope' }))).toEqual([]);
    expect(takeQueue(Object.assign(() => undefined, { q: [null, 5, ['ok']] }))).toEqual([['ok']]);
  });
});

describe('the script-tag guide (docs/script-tag.md) and the README', () => {
  const guide = readFileSync(new URL('../../docs/script-tag.md', import.meta.url), 'utf8');
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

  it('show the stub exactly as the library defines it', () => {
    expect(guide).toContain(SNIPPET_TAG);
    expect(readme).toContain(SNIPPET_TAG);
  });

  it("give the stub's real CSP hash", () => {
    const hash = `'sha256-${createHash('sha256').update(SNIPPET).digest('base64')}'`;
    expect(guide).toContain(hash);
  });
});
