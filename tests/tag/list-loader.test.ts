import { describe, expect, it, vi } from 'vitest';
import { ListLoader } from '../../src/tag/list-loader';
import type { Lists } from '../../src/tag/lists';

function fakeLists() {
  return { changed: vi.fn(), runAll: vi.fn(), inspect: vi.fn() };
}

function page(hasList: boolean): Document {
  return { querySelector: () => (hasList ? ({} as Element) : null) } as unknown as Document;
}

const list = (connected = true) => ({ isConnected: connected }) as HTMLElement;

describe('ListLoader', () => {
  it('loads nothing for a page without a marked list', async () => {
    const load = vi.fn(async () => fakeLists() as unknown as Lists);
    const loader = new ListLoader(page(false), load);
    loader.preload();
    await loader.runAll();
    await loader.inspect();
    expect(load).not.toHaveBeenCalled();
    expect(loader.state).toBe('none');
  });

  it('loads once, and hands over the lists that changed meanwhile (still on the page) when the part arrives', async () => {
    const lists = fakeLists();
    let arrive!: (value: Lists) => void;
    const load = vi.fn(() => new Promise<Lists>((resolve) => (arrive = resolve)));
    const loader = new ListLoader(page(true), load);
    const [a, gone] = [list(), list(false)];
    loader.changed(a, true);
    loader.changed(gone, true);
    loader.changed(a, true);
    const ran = loader.runAll(true);
    expect(load).toHaveBeenCalledTimes(1);
    expect(loader.state).toBe('loading');
    arrive(lists as unknown as Lists);
    await ran;
    expect(loader.state).toBe('ready');
    expect(lists.changed.mock.calls).toEqual([[a, true]]);
    expect(lists.runAll).toHaveBeenCalledWith(true, undefined);
    loader.changed(gone, false);
    expect(lists.changed).toHaveBeenLastCalledWith(gone, false);
  });

  it('where the part cannot load, lists keep the server order and nothing throws', async () => {
    const debug = vi.spyOn(console, 'debug').mockImplementation(() => undefined);
    const loader = new ListLoader(page(true), () => Promise.reject(new TypeError('Failed to fetch dynamically imported module')));
    loader.changed(list(), true);
    await expect(loader.runAll()).resolves.toBeUndefined();
    await expect(loader.inspect()).resolves.toBeUndefined();
    expect(loader.state).toBe('failed');
    expect(debug).toHaveBeenCalled();
    debug.mockRestore();
  });
});
