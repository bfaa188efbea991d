// The UI's own preferences, kept across restarts: the project last selected and the session last
// open (restored at start only when they are still listed), whether the pool view was shown, and
// the notices the user dismissed (not shown again). Disposable by design: a lost or garbled file
// costs a selection, nothing more, so whatever is read is checked field by field and a field
// missing or of the wrong type takes its default. What users would miss (names, pins, settings)
// is not here: the core writes it atomically. Changes are saved after a pause (`saveDelayMs`),
// never awaited by the UI; a save that fails is logged (console.warn) and nothing else.
// No DOM and no Tauri here: the file is behind a `PrefsStore` (`src/prefs.ts` in the app, an
// in-memory fake in tests, none at all: nothing kept).
import type { PrefsStore } from '../../prefs';

/** What the UI keeps of itself between two starts. */
export interface Prefs {
  /** `ProjectEntry.key` of the project last selected; null: none. */
  project: string | null;
  /** `SessionSummary.key` of the session last open; null: none. */
  session: string | null;
  /** The main pane showed the pool view. */
  poolShown: boolean;
  /** Texts of the notices the user dismissed, oldest first (at most `PrefsModel.dismissedMax`). */
  dismissedNotices: string[];
}

const KEYS: readonly (keyof Prefs)[] = ['project', 'session', 'poolShown', 'dismissedNotices'];

/** The preferences of a first start (and of every field that cannot be read). */
export function defaultPrefs(): Prefs {
  return { project: null, session: null, poolShown: false, dismissedNotices: [] };
}

/** Longest key or notice text taken from the file (anything longer is not ours). */
const MAX_TEXT = 10_000;

function key(value: unknown): string | null | undefined {
  if (value === null) return null;
  return typeof value === 'string' && value !== '' && value.length <= MAX_TEXT ? value : undefined;
}

/**
 * The valid fields of what a preferences file held (`raw`: its keys and values as read), each
 * checked on its own: a field missing or of the wrong type is left out (its default applies), so
 * one bad field never costs the others. Anything but an object gives `{}`. Of the dismissed
 * notices, the texts are kept (other items dropped), each once, the newest `PrefsModel.dismissedMax`.
 */
export function readPrefs(raw: unknown): Partial<Prefs> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return {};
  const r = raw as Record<string, unknown>;
  const out: Partial<Prefs> = {};
  const project = key(r.project);
  if (project !== undefined) out.project = project;
  const session = key(r.session);
  if (session !== undefined) out.session = session;
  if (typeof r.poolShown === 'boolean') out.poolShown = r.poolShown;
  if (Array.isArray(r.dismissedNotices)) {
    const texts = r.dismissedNotices.filter((t): t is string => typeof t === 'string' && t !== '' && t.length <= MAX_TEXT);
    out.dismissedNotices = [...new Set(texts)].slice(-PrefsModel.dismissedMax);
  }
  return out;
}

function same(a: Prefs[keyof Prefs], b: Prefs[keyof Prefs]): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  return a === b;
}

export class PrefsModel {
  /** How long a change waits for more before the preferences are saved, in ms. */
  static saveDelayMs = 500;
  /** How long the start waits for the saved preferences before going on without them, in ms. */
  static loadTimeoutMs = 1000;
  /** Dismissed notices kept at most (the oldest are forgotten). */
  static dismissedMax = 50;

  /** The saved preferences have been read (or could not be, or there is no store). */
  loaded: boolean = $state(false);
  /** The preferences in force: the defaults, then what was read, then each change. */
  private prefs: Prefs = $state(defaultPrefs());
  /** Changes made before the saved preferences were read: they win over what is read. */
  private early: Partial<Prefs> = {};
  private loading: Promise<Partial<Prefs>> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** The saves under way, one after the other. */
  private saving: Promise<void> = Promise.resolve();
  private readonly store: PrefsStore | null;

  /** `store` null: nothing is read or kept (every start is a first start). */
  constructor(store: PrefsStore | null) {
    this.store = store;
    this.loaded = store === null;
  }

  /** There is a store: the preferences are read at start and saved on change. */
  get keeps(): boolean {
    return this.store !== null;
  }

  /** The preferences in force, as a plain copy. */
  get current(): Prefs {
    return $state.snapshot(this.prefs);
  }

  /**
   * Reads the saved preferences (once: later calls get the first answer). Resolves to the valid
   * fields read: `{}` when there is no store, no file, a file that cannot be read or used, or no
   * answer within `loadTimeoutMs` (then a late answer is ignored). Never rejects.
   */
  load(): Promise<Partial<Prefs>> {
    this.loading ??= this.read();
    return this.loading;
  }

  private async read(): Promise<Partial<Prefs>> {
    const store = this.store;
    if (!store) return {};
    let timer: ReturnType<typeof setTimeout> | null = null;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), PrefsModel.loadTimeoutMs)));
    let saved: Partial<Prefs> = {};
    try {
      const answer = await Promise.race([store.load(), timeout]);
      if (answer === 'timeout') console.warn(`ccdesk: the UI preferences were not read within ${PrefsModel.loadTimeoutMs} ms; defaults are used`);
      else saved = readPrefs(answer);
    } catch (e) {
      console.warn('ccdesk: the UI preferences could not be read; defaults are used', e);
    } finally {
      if (timer) clearTimeout(timer);
    }
    const base = { ...defaultPrefs(), ...saved };
    const next = { ...base, ...this.early };
    const changed = KEYS.some((k) => !same(base[k], next[k]));
    this.prefs = next;
    this.early = {};
    this.loaded = true;
    if (changed) this.schedule();
    return saved;
  }

  /**
   * Takes the fields of `change` as the preferences in force; when one differs from what is kept,
   * they are saved after `saveDelayMs` (each change meanwhile restarts the wait). Before the saved
   * ones are read, changes are held and win over them.
   */
  remember(change: Partial<Prefs>): void {
    let differs = false;
    for (const k of KEYS) {
      const value = change[k];
      if (value === undefined) continue;
      if (!this.loaded) (this.early as Record<string, unknown>)[k] = value;
      if (same(this.prefs[k], value)) continue;
      (this.prefs as unknown as Record<string, unknown>)[k] = Array.isArray(value) ? [...value] : value;
      differs = true;
    }
    if (differs && this.loaded) this.schedule();
  }

  /**
   * Whether the notice `text` is kept from the banner: the user dismissed it before (this start or
   * an earlier one). With a store, every notice is held back until the saved preferences are read,
   * so a dismissed one does not flash up at start. Without one, none is.
   */
  hidesNotice(text: string): boolean {
    if (!this.store) return false;
    return !this.loaded || this.prefs.dismissedNotices.includes(text);
  }

  /** The user dismissed these notices: they are not shown again (the oldest are forgotten past `dismissedMax`). */
  dismissNotices(texts: string[]): void {
    const fresh = texts.filter((t) => t !== '');
    if (fresh.length === 0) return;
    const kept = this.prefs.dismissedNotices.filter((t) => !fresh.includes(t));
    this.remember({ dismissedNotices: [...kept, ...new Set(fresh)].slice(-PrefsModel.dismissedMax) });
  }

  /** Saves now what waits for `saveDelayMs`, if anything; resolves when the saves are done (never rejects). */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
      this.save();
    }
    return this.saving;
  }

  private schedule(): void {
    if (!this.store) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.save();
    }, PrefsModel.saveDelayMs);
  }

  private save(): void {
    const store = this.store;
    if (!store) return;
    const prefs = this.current;
    this.saving = this.saving
      .then(() => store.save(prefs))
      .catch((e: unknown) => console.warn('ccdesk: the UI preferences could not be saved', e));
  }
}
