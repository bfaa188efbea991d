// The one seam between the UI's own preferences and the disk: the only module that imports
// `@tauri-apps/plugin-store`. They are kept in one store, `ui-prefs.json` in the app data dir:
// the plugin holds and reads it; saving asks the core (`saveUiPrefs` in `ipc.ts`) to write it
// whole, atomically (the plugin's own save writes in place). A file found torn at start is moved
// aside by the core and the user told. What users would miss (names, pins, settings) is the
// core's own files. Nothing else calls the plugin; the UI receives a `PrefsStore` (this file's
// `tauriPrefs` in the app, a fake in tests: `src/lib/__fixtures__/fakePrefs.ts`), so everything
// above this file runs without a desktop. The preferences themselves, and what is done with them,
// are `lib/stores/prefs.svelte.ts`.
import { load, type Store } from '@tauri-apps/plugin-store';
import { saveUiPrefs } from './ipc';
import { readPrefs, type Prefs } from './lib/stores/prefs.svelte';

export type { Prefs } from './lib/stores/prefs.svelte';

/** The store file, in the app data dir (beside the core's `registry.json` and `settings.json`). */
export const PREFS_FILE = 'ui-prefs.json';

/** Where the UI's preferences are kept. */
export interface PrefsStore {
  /**
   * The preferences as saved: only the fields found and valid (`{}` for a missing file). May
   * reject (a file that cannot be read); the caller then goes on with the defaults.
   */
  load(): Promise<Partial<Prefs>>;
  /** Replaces what is saved with `prefs`. May reject; the caller logs it and goes on. */
  save(prefs: Prefs): Promise<void>;
}

/**
 * A `PrefsStore` over the store plugin's file `file` (in the app data dir), one key per field,
 * saved by `persist` (the core's atomic write of that store).
 * The plugin's own auto-save is off: the caller decides when to save (it waits for a pause). The
 * plugin reads a file that is not a JSON object as empty; each field read is checked (`readPrefs`).
 */
export function tauriPrefsStore(
  file: string = PREFS_FILE,
  persist: () => Promise<unknown> = saveUiPrefs,
): PrefsStore {
  let opened: Promise<Store> | null = null;
  // Loaded once and kept; a failed load is tried again by the next call.
  const open = (): Promise<Store> =>
    (opened ??= load(file, { autoSave: false }).catch((e: unknown) => {
      opened = null;
      throw e;
    }));
  return {
    async load() {
      const store = await open();
      return readPrefs(Object.fromEntries(await store.entries()));
    },
    async save(prefs) {
      const store = await open();
      for (const [key, value] of Object.entries(prefs)) await store.set(key, value);
      await persist();
    },
  };
}

/** The app's preferences: `ui-prefs.json` through the store plugin. */
export const tauriPrefs: PrefsStore = tauriPrefsStore();
