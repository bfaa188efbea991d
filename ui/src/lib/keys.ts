// Keyboard shortcuts of the run view.

/**
 * Esc interrupts the running turn, unless the key belongs to something else: a dialog (the new
 * session sheet closes on Esc), a handler that already used it (`preventDefault`), an IME
 * composition, or a combination with modifiers.
 */
export function escapeInterrupts(event: KeyboardEvent): boolean {
  if (event.key !== 'Escape' && event.key !== 'Esc') return false;
  if (event.defaultPrevented || event.isComposing) return false;
  if (event.ctrlKey || event.metaKey || event.altKey || event.shiftKey) return false;
  const target = event.target;
  if (target instanceof Element && target.closest('[role="dialog"], [role="alertdialog"], dialog, [data-own-escape]')) {
    return false;
  }
  // An open modal anywhere (focus may have left it) also owns the key.
  if (typeof document !== 'undefined' && document.querySelector('[aria-modal="true"]')) return false;
  return true;
}

/**
 * The app's shortcuts with Ctrl (Cmd on macOS): N new session, K jump to a session, Shift+F search
 * every transcript.
 */
export type AppShortcut = 'newSession' | 'switcher' | 'search';

/** Which app shortcut `event` is, if any (Ctrl or Cmd, no Alt, not while composing). */
export function appShortcut(event: KeyboardEvent): AppShortcut | null {
  if (event.defaultPrevented || event.isComposing) return null;
  if (!(event.ctrlKey || event.metaKey) || event.altKey) return null;
  const key = event.key.toLowerCase();
  if (event.shiftKey) return key === 'f' ? 'search' : null;
  if (key === 'n') return 'newSession';
  if (key === 'k') return 'switcher';
  return null;
}
