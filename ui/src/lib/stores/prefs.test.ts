import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakePrefs } from '../__fixtures__/fakePrefs';
import { Messages } from './messages.svelte';
import { defaultPrefs, PrefsModel, readPrefs } from './prefs.svelte';

let warn: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => {
  vi.useRealTimers();
  warn.mockRestore();
});

describe('readPrefs: every field checked on its own', () => {
  it('anything but an object gives nothing (the defaults)', () => {
    for (const raw of [undefined, null, 42, 'garbage', true, [], [{ project: 'cwd:/a' }]]) expect(readPrefs(raw)).toEqual({});
  });

  it('a field of the wrong type is left out; the others are kept', () => {
    expect(readPrefs({ project: 'cwd:/a', session: 7, poolShown: 'yes', dismissedNotices: 'nope' })).toEqual({ project: 'cwd:/a' });
    expect(readPrefs({ project: ['cwd:/a'], session: '-a/1', poolShown: true })).toEqual({ session: '-a/1', poolShown: true });
    expect(readPrefs({ project: null, session: null, other: 1 })).toEqual({ project: null, session: null });
    // an empty key is no key
    expect(readPrefs({ project: '', session: '' })).toEqual({});
    expect(readPrefs({ project: 'x'.repeat(10_001) })).toEqual({});
  });

  it('dismissed notices: the texts, each once, the newest at most', () => {
    expect(readPrefs({ dismissedNotices: ['a', 3, '', null, 'b', 'a'] })).toEqual({ dismissedNotices: ['a', 'b'] });
    const many = Array.from({ length: PrefsModel.dismissedMax + 5 }, (_, i) => `n${i}`);
    const read = readPrefs({ dismissedNotices: many }).dismissedNotices!;
    expect(read).toHaveLength(PrefsModel.dismissedMax);
    expect(read[0]).toBe('n5');
    expect(read.at(-1)).toBe(`n${PrefsModel.dismissedMax + 4}`);
  });
});

describe('PrefsModel: loading', () => {
  it('a garbled file gives the defaults, and only the bad fields', async () => {
    const model = new PrefsModel(fakePrefs({ project: 42, session: '-p/s1', poolShown: 'yes', dismissedNotices: [1, 'old'] }));
    expect(model.loaded).toBe(false);
    expect(await model.load()).toEqual({ session: '-p/s1', dismissedNotices: ['old'] });
    expect(model.loaded).toBe(true);
    expect(model.current).toEqual({ project: null, session: '-p/s1', poolShown: false, dismissedNotices: ['old'] });
  });

  it('a file that cannot be read gives the defaults, logged only', async () => {
    const store = fakePrefs();
    store.mocks.load.mockRejectedValue(new Error('EACCES'));
    const model = new PrefsModel(store);
    await expect(model.load()).resolves.toEqual({});
    expect(model.current).toEqual(defaultPrefs());
    expect(model.loaded).toBe(true);
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('a store that throws outright gives the defaults too', async () => {
    const store = fakePrefs();
    store.load = () => {
      throw new Error('no plugin');
    };
    const model = new PrefsModel(store);
    await expect(model.load()).resolves.toEqual({});
    expect(model.current).toEqual(defaultPrefs());
  });

  it('reads once', async () => {
    const store = fakePrefs({ poolShown: true });
    const model = new PrefsModel(store);
    const [a, b] = await Promise.all([model.load(), model.load()]);
    expect(a).toEqual({ poolShown: true });
    expect(b).toBe(a);
    expect(store.mocks.load).toHaveBeenCalledTimes(1);
  });

  it('no answer in time: the defaults, and a late answer is ignored', async () => {
    vi.useFakeTimers();
    const store = fakePrefs();
    let answer: (v: unknown) => void = () => {};
    store.mocks.load.mockImplementation(() => new Promise((r) => (answer = r as (v: unknown) => void)));
    const model = new PrefsModel(store);
    const loading = model.load();
    await vi.advanceTimersByTimeAsync(PrefsModel.loadTimeoutMs);
    await expect(loading).resolves.toEqual({});
    expect(model.loaded).toBe(true);
    answer({ project: 'cwd:/late' });
    await vi.advanceTimersByTimeAsync(0);
    expect(model.current.project).toBeNull();
  });

  it('without a store: nothing is read or saved', async () => {
    vi.useFakeTimers();
    const model = new PrefsModel(null);
    expect(model.loaded).toBe(true);
    expect(model.keeps).toBe(false);
    expect(await model.load()).toEqual({});
    model.remember({ project: 'cwd:/a' });
    await vi.advanceTimersByTimeAsync(PrefsModel.saveDelayMs * 2);
    expect(model.current.project).toBe('cwd:/a');
  });
});

describe('PrefsModel: saving after a pause', () => {
  it('changes are saved once, after saveDelayMs without another one, with the latest values', async () => {
    vi.useFakeTimers();
    const store = fakePrefs({ dismissedNotices: ['kept'] });
    const model = new PrefsModel(store);
    await model.load();
    model.remember({ project: 'cwd:/a', session: '-a/1' });
    await vi.advanceTimersByTimeAsync(PrefsModel.saveDelayMs - 100);
    model.remember({ project: 'cwd:/b', session: null });
    model.remember({ poolShown: true });
    await vi.advanceTimersByTimeAsync(PrefsModel.saveDelayMs - 1);
    expect(store.mocks.save).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(store.mocks.save).toHaveBeenCalledTimes(1);
    expect(store.saved).toEqual({ project: 'cwd:/b', session: null, poolShown: true, dismissedNotices: ['kept'] });
  });

  it('a change to what is kept already saves nothing', async () => {
    vi.useFakeTimers();
    const store = fakePrefs({ project: 'cwd:/a', session: '-a/1', poolShown: true, dismissedNotices: ['x'] });
    const model = new PrefsModel(store);
    await model.load();
    model.remember({ project: 'cwd:/a', session: '-a/1', poolShown: true, dismissedNotices: ['x'] });
    await vi.advanceTimersByTimeAsync(PrefsModel.saveDelayMs * 2);
    expect(store.mocks.save).not.toHaveBeenCalled();
  });

  it('a failing save is logged and nothing else; the next one is tried', async () => {
    vi.useFakeTimers();
    const store = fakePrefs();
    store.mocks.save.mockRejectedValueOnce(new Error('disk full'));
    const model = new PrefsModel(store);
    await model.load();
    model.remember({ poolShown: true });
    await vi.advanceTimersByTimeAsync(PrefsModel.saveDelayMs);
    expect(store.mocks.save).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(store.saved).toBeUndefined();
    model.remember({ poolShown: false });
    await vi.advanceTimersByTimeAsync(PrefsModel.saveDelayMs);
    expect(store.saved).toEqual({ ...defaultPrefs(), poolShown: false });
  });

  it('changes made before the saved ones are read win over them, and are saved', async () => {
    vi.useFakeTimers();
    const store = fakePrefs({ project: 'cwd:/old', session: '-old/1', poolShown: true });
    const model = new PrefsModel(store);
    model.remember({ poolShown: false });
    await model.load();
    expect(model.current).toEqual({ project: 'cwd:/old', session: '-old/1', poolShown: false, dismissedNotices: [] });
    await vi.advanceTimersByTimeAsync(PrefsModel.saveDelayMs);
    expect(store.saved).toEqual({ project: 'cwd:/old', session: '-old/1', poolShown: false, dismissedNotices: [] });
  });

  it('flush saves what waits at once', async () => {
    vi.useFakeTimers();
    const store = fakePrefs();
    const model = new PrefsModel(store);
    await model.load();
    model.remember({ session: '-a/1' });
    await model.flush();
    expect(store.saved).toEqual({ ...defaultPrefs(), session: '-a/1' });
    // nothing more waits
    await vi.advanceTimersByTimeAsync(PrefsModel.saveDelayMs * 2);
    expect(store.mocks.save).toHaveBeenCalledTimes(1);
  });
});

describe('PrefsModel: dismissed notices', () => {
  it('a notice dismissed stays dismissed after a restart; a new one shows', async () => {
    const store = fakePrefs();
    const first = new PrefsModel(store);
    await first.load();
    const messages = new Messages((t) => first.hidesNotice(t));
    messages.notice('registry.json could not be read');
    expect(messages.notices).toEqual(['registry.json could not be read']);
    first.dismissNotices(messages.dismissNotices());
    expect(messages.notices).toEqual([]);
    // said again in this start: not shown
    messages.notice('registry.json could not be read');
    expect(messages.notices).toEqual([]);
    await first.flush();
    expect(store.saved).toEqual({ ...defaultPrefs(), dismissedNotices: ['registry.json could not be read'] });

    const second = new PrefsModel(store);
    const again = new Messages((t) => second.hidesNotice(t));
    again.notice('registry.json could not be read');
    again.notice('settings.json was corrupt; kept as settings.json.backup-2');
    // nothing until the saved preferences are read: a dismissed one does not flash up
    expect(again.notices).toEqual([]);
    await second.load();
    expect(again.notices).toEqual(['settings.json was corrupt; kept as settings.json.backup-2']);
  });

  it('keeps the newest dismissedMax', async () => {
    const store = fakePrefs();
    const model = new PrefsModel(store);
    await model.load();
    for (let i = 0; i < PrefsModel.dismissedMax + 3; i++) model.dismissNotices([`n${i}`]);
    model.dismissNotices(['n3']);
    const kept = model.current.dismissedNotices;
    expect(kept).toHaveLength(PrefsModel.dismissedMax);
    expect(kept.at(-1)).toBe('n3');
    expect(model.hidesNotice('n0')).toBe(false);
    expect(model.hidesNotice('n4')).toBe(true);
  });

  it('without a store no notice is hidden (as before there were preferences)', () => {
    const model = new PrefsModel(null);
    model.dismissNotices(['a']);
    expect(model.hidesNotice('a')).toBe(false);
  });
});
