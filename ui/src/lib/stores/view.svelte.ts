// What covers the main pane, as one value (`overlay`): nothing (the open session and its live
// run), the pool view, or one modal sheet (the settings, the quick switcher, full-text search, the new-session sheet
// in folder `cwd`). Two sheets are never open at once: opening one closes the other. A sheet
// opened while the pool view is shown keeps the pool under it (`overPool`): closing the sheet
// shows the pool again, and leaving the pool (a session selected meanwhile) leaves the sheet open.
// Whoever made it is told when the pool view is shown or left (`onPool`: the preferences keep it).
// No DOM here.

/** A modal sheet's kind. */
export type SheetKind = 'settings' | 'switcher' | 'search' | 'usage' | 'changes' | 'new';

export type Overlay =
  | { kind: 'none' }
  | { kind: 'pool' }
  | { kind: 'settings'; overPool: boolean }
  | { kind: 'switcher'; overPool: boolean }
  | { kind: 'search'; overPool: boolean }
  | { kind: 'usage'; overPool: boolean }
  | { kind: 'changes'; overPool: boolean }
  | { kind: 'new'; cwd: string; overPool: boolean };

export class ViewState {
  /**
   * What covers the main pane. A sheet that stays open is changed in place (a new folder, the
   * pool left under it), so the dialog showing it is not created again.
   */
  overlay: Overlay = $state({ kind: 'none' });
  private readonly onPool: (shown: boolean) => void;

  /** `onPool`: called when the pool view is shown or left (not when it stays as it was). */
  constructor(onPool: (shown: boolean) => void = () => {}) {
    this.onPool = onPool;
  }

  /** The main pane shows the pool view (alone, or under a sheet). */
  get poolShown(): boolean {
    const o = this.overlay;
    return o.kind === 'pool' || ('overPool' in o && o.overPool);
  }

  /** The open sheet's kind; null when none is open. */
  get sheet(): SheetKind | null {
    const kind = this.overlay.kind;
    return kind === 'none' || kind === 'pool' ? null : kind;
  }

  /** Shows the pool view (under the open sheet, if one is open). */
  openPool(): void {
    const was = this.poolShown;
    const o = this.overlay;
    if ('overPool' in o) o.overPool = true;
    else this.overlay = { kind: 'pool' };
    if (!was) this.onPool(true);
  }

  /** The main pane goes back to the open session (an open sheet stays open). */
  leavePool(): void {
    const was = this.poolShown;
    const o = this.overlay;
    if (o.kind === 'pool') this.overlay = { kind: 'none' };
    else if ('overPool' in o) o.overPool = false;
    if (was) this.onPool(false);
  }

  /** Opens the settings, usage or search sheet or the quick switcher, closing any other sheet. */
  open(kind: 'settings' | 'switcher' | 'search' | 'usage' | 'changes'): void {
    if (this.overlay.kind === kind) return;
    this.overlay = { kind, overPool: this.poolShown };
  }

  /**
   * Opens the new-session sheet in folder `cwd`, closing any other sheet. One open already keeps
   * its prompt: with `takeFolder` it takes `cwd`, else it stays as it is.
   */
  openNew(cwd: string, takeFolder: boolean): void {
    const o = this.overlay;
    if (o.kind === 'new') {
      if (takeFolder) o.cwd = cwd;
      return;
    }
    this.overlay = { kind: 'new', cwd, overPool: this.poolShown };
  }

  /**
   * Closes the open sheet (with `kind`, only a sheet of that kind: a sheet closing late does not
   * close the one that replaced it): back to what was under it, the pool view or the session.
   */
  closeSheet(kind?: SheetKind): void {
    const o = this.overlay;
    if (kind !== undefined && o.kind !== kind) return;
    if ('overPool' in o) this.overlay = o.overPool ? { kind: 'pool' } : { kind: 'none' };
  }
}
