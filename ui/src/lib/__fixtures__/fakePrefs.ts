// An in-memory stand-in for the preferences file (`PrefsStore`), for model and App tests: what a
// save writes, a later load reads, so one fake shared by two AppModels is a restart.
import { vi, type Mock } from 'vitest';
import type { Prefs, PrefsStore } from '../../prefs';

export interface FakePrefs extends PrefsStore {
  /** What the "file" holds: the last save, else what the fake was made with (anything, garbage too). */
  saved: unknown;
  mocks: { load: Mock<PrefsStore['load']>; save: Mock<PrefsStore['save']> };
}

/** A store holding `saved` (undefined: no file yet); `load` answers a copy of what it holds. */
export function fakePrefs(saved?: unknown): FakePrefs {
  const fake: FakePrefs = {
    saved,
    mocks: {
      load: vi.fn(async () => (fake.saved === undefined ? {} : (structuredClone(fake.saved) as Partial<Prefs>))),
      save: vi.fn(async (prefs: Prefs) => {
        fake.saved = structuredClone(prefs);
      }),
    },
    load: () => fake.mocks.load(),
    save: (prefs) => fake.mocks.save(prefs),
  };
  return fake;
}
