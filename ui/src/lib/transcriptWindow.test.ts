import { afterEach, describe, expect, it, vi } from 'vitest';
import { detail, message, summary } from './__fixtures__/data';
import { fakeApi } from './__fixtures__/fakeApi';
import { TranscriptWindow } from './transcriptWindow.svelte';
import type { Entry } from './types';

/** A file of `n` user lines, "line 0" … */
const lines = (n: number, from = 0): Entry[] => Array.from({ length: n }, (_, i) => message('user', `line ${from + i}`));

function setup(file: Entry[]) {
  const api = fakeApi({ detail: () => detail({ list: file }) });
  return { api, w: new TranscriptWindow(api, summary().key) };
}

const { maxLines, firstPageLines: F } = TranscriptWindow;
afterEach(() => {
  TranscriptWindow.maxLines = maxLines;
  TranscriptWindow.firstPageLines = F;
});

describe('TranscriptWindow', () => {
  it('opens on the tail page, by key', async () => {
    const { api, w } = setup(lines(450));
    await w.loadTail();
    // A screenful and some first; the pages next to it come as the view nears them.
    expect(F).toBeLessThan(TranscriptWindow.pageLines);
    expect(api.mocks.showSession).toHaveBeenCalledWith(summary().key, { from: null, limit: F });
    expect([w.from, w.to, w.total, w.state, w.atEnd, w.atStart]).toEqual([450 - F, 450, 450, 'ready', true, false]);
    expect(w.entries[0].key).toMatch(new RegExp(`^${450 - F}:`));
    expect(w.detail?.summary.id).toBe(summary().id);
  });

  it('loads the page before and after, and drops whole pages at the far end past maxLines', async () => {
    TranscriptWindow.maxLines = 400;
    TranscriptWindow.firstPageLines = 200; // whole pages of 200, to follow the arithmetic
    const { w } = setup(lines(1000));
    await w.loadTail();
    expect(await w.loadOlder()).toBe(true);
    expect([w.from, w.to]).toEqual([600, 1000]);
    await w.loadOlder();
    expect([w.from, w.to]).toEqual([400, 1000]);
    expect(w.trimEnd()).toBe(true);
    expect([w.from, w.to]).toEqual([400, 800]);
    expect(await w.loadNewer()).toBe(true);
    expect(w.trimStart()).toBe(true);
    expect([w.from, w.to]).toEqual([600, 1000]);
    expect(await w.loadNewer()).toBe(false); // at the end already
    // contiguous, in order, no key twice
    const idx = w.entries.map((e) => e.index);
    expect(idx).toEqual(Array.from({ length: 400 }, (_, i) => 600 + i));
  });

  it('takes only the new lines when the file grows (from the end of the window)', async () => {
    const file = lines(300);
    const { api, w } = setup(file);
    await w.loadTail();
    file.push(...lines(3, 300));
    await w.update();
    expect(api.mocks.showSession).toHaveBeenLastCalledWith(summary().key, { from: 300, limit: 1000 });
    expect([w.from, w.to, w.total]).toEqual([300 - F, 303, 303]);
    expect(w.entries.at(-1)?.entry).toMatchObject({ content: 'line 302' });
  });

  it('when more came than one request holds and the view follows the end, reloads the end', async () => {
    const file = lines(10);
    const { w } = setup(file);
    await w.loadTail();
    const generation = w.generation;
    file.push(...lines(1500, 10));
    await w.update(true);
    expect([w.from, w.to, w.total]).toEqual([1310, 1510, 1510]);
    expect(w.generation).toBe(generation + 1);
    expect(w.anchor).toBe('end');
  });

  it('jumps to the start and back to the end', async () => {
    const { w } = setup(lines(900));
    await w.loadTail();
    await w.loadStart();
    expect([w.from, w.to, w.anchor]).toEqual([0, F, 'start']);
    expect(w.atStart).toBe(true);
    await w.loadTail();
    expect([w.from, w.to, w.anchor]).toEqual([900 - F, 900, 'end']);
  });

  it('Show all replaces a cut line by the whole line', async () => {
    const file = [message('user', 'short'), message('user', 'long text, whole')];
    const api = fakeApi({
      detail: () => {
        const d = detail({ list: file });
        d.transcript.entries[1] = { ...d.transcript.entries[1], cut: true, lineBytes: 40_000, entry: message('user', 'long te') };
        return d;
      },
    });
    api.mocks.transcriptEntry.mockImplementation(async (_key, index) => ({ index, key: `${index}:x`, lineBytes: 40_000, cut: false, entry: file[index] }));
    const w = new TranscriptWindow(api, summary().key);
    await w.loadTail();
    expect(w.entries[1].cut).toBe(true);
    expect(await w.showAll(1)).toBe(true);
    expect(api.mocks.transcriptEntry).toHaveBeenCalledWith(summary().key, 1);
    expect(w.entries[1]).toMatchObject({ cut: false, entry: { content: 'long text, whole' } });
  });

  it('asks for the first page before the operations queued before it have finished', async () => {
    const { api, w } = setup(lines(500));
    await w.loadTail();
    const real = api.mocks.showSession.getMockImplementation()!;
    let release: () => void = () => {};
    // The page before the window hangs until released.
    api.mocks.showSession.mockImplementationOnce((key, page) => new Promise((resolve) => (release = () => resolve(real(key, page)))));
    const older = w.loadOlder();
    await vi.waitFor(() => expect(api.mocks.showSession).toHaveBeenCalledTimes(2));
    const start = w.loadStart();
    // Asked for at once, while the page before hangs; applied after it.
    expect(api.mocks.showSession).toHaveBeenCalledTimes(3);
    expect(api.mocks.showSession).toHaveBeenLastCalledWith(summary().key, { from: 0, limit: F });
    release();
    await Promise.all([older, start]);
    expect([w.from, w.to, w.anchor]).toEqual([0, F, 'start']);
  });

  it('a failed load says so and leaves the window usable', async () => {
    const errors: string[] = [];
    const api = fakeApi();
    api.mocks.showSession.mockRejectedValueOnce({ kind: 'io', message: 'disk gone' });
    const w = new TranscriptWindow(api, summary().key, (m) => errors.push(m));
    expect(await w.loadTail()).toBe(false);
    expect([w.state, w.error]).toEqual(['ready', 'disk gone']);
    expect(errors).toEqual(['disk gone']);
    expect(await w.loadTail()).toBe(true);
    expect(w.error).toBeNull();
  });
});
