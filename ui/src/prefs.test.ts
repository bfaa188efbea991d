// Pins how the preferences use the store plugin: one file, no auto-save, one key per field, every
// field read checked, saved by the core (atomically), never by the plugin's in-place save.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const store = { entries: vi.fn(), set: vi.fn(), save: vi.fn() };
const load = vi.fn();
vi.mock('@tauri-apps/plugin-store', () => ({ load: (...a: unknown[]) => load(...a) }));

const { tauriPrefsStore, PREFS_FILE } = await import('./prefs');

beforeEach(() => {
  load.mockReset();
  load.mockResolvedValue(store);
  for (const m of Object.values(store)) m.mockReset();
});

describe('tauriPrefsStore', () => {
  it('reads ui-prefs.json with the plugin auto-save off, each field checked', async () => {
    store.entries.mockResolvedValue([
      ['project', 'cwd:/a'],
      ['session', 12],
      ['poolShown', true],
      ['dismissedNotices', ['n', 3]],
      ['stranger', 'x'],
    ]);
    const prefs = tauriPrefsStore();
    expect(await prefs.load()).toEqual({ project: 'cwd:/a', poolShown: true, dismissedNotices: ['n'] });
    expect(PREFS_FILE).toBe('ui-prefs.json');
    expect(load).toHaveBeenCalledWith('ui-prefs.json', { autoSave: false });
  });

  it('saves one key per field, then has the core write the file; the store is loaded once', async () => {
    store.entries.mockResolvedValue([]);
    const persist = vi.fn().mockResolvedValue(null);
    const prefs = tauriPrefsStore('t.json', persist);
    expect(await prefs.load()).toEqual({});
    await prefs.save({ project: 'cwd:/a', session: null, poolShown: false, dismissedNotices: ['n'] });
    expect(store.set.mock.calls).toEqual([
      ['project', 'cwd:/a'],
      ['session', null],
      ['poolShown', false],
      ['dismissedNotices', ['n']],
    ]);
    expect(persist).toHaveBeenCalledTimes(1);
    expect(persist.mock.invocationCallOrder[0]).toBeGreaterThan(store.set.mock.invocationCallOrder[3]);
    expect(store.save).not.toHaveBeenCalled();
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('a store that could not be loaded is tried again by the next call', async () => {
    load.mockRejectedValueOnce(new Error('not allowed'));
    store.entries.mockResolvedValue([['poolShown', true]]);
    const prefs = tauriPrefsStore();
    await expect(prefs.load()).rejects.toThrow('not allowed');
    expect(await prefs.load()).toEqual({ poolShown: true });
    expect(load).toHaveBeenCalledTimes(2);
  });
});
