import { afterEach, describe, expect, it } from 'vitest';
import { appShortcut, escapeInterrupts } from './keys';

function press(target: Element, init: KeyboardEventInit = {}): KeyboardEvent {
  let seen: KeyboardEvent | null = null;
  const listener = (e: Event) => (seen = e as KeyboardEvent);
  window.addEventListener('keydown', listener);
  target.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true, ...init }));
  window.removeEventListener('keydown', listener);
  if (!seen) throw new Error('no event');
  return seen;
}

afterEach(() => {
  document.body.innerHTML = '';
});

describe('escapeInterrupts', () => {
  it('Esc on the page or in the run view’s own field interrupts', () => {
    document.body.innerHTML = '<main><textarea id="followup"></textarea></main>';
    expect(escapeInterrupts(press(document.body))).toBe(true);
    expect(escapeInterrupts(press(document.getElementById('followup')!))).toBe(true);
  });

  it('other keys, modifiers and compositions do not', () => {
    expect(escapeInterrupts(press(document.body, { key: 'Enter' }))).toBe(false);
    expect(escapeInterrupts(press(document.body, { ctrlKey: true }))).toBe(false);
    expect(escapeInterrupts(press(document.body, { isComposing: true }))).toBe(false);
  });

  it('not inside a dialog, nor while a modal is open, nor when a field used the key', () => {
    document.body.innerHTML = '<div role="dialog"><input id="in-dialog"></div>';
    expect(escapeInterrupts(press(document.getElementById('in-dialog')!))).toBe(false);
    document.body.innerHTML = '<div aria-modal="true"></div><p id="outside"></p>';
    expect(escapeInterrupts(press(document.getElementById('outside')!))).toBe(false);
    document.body.innerHTML = '<input id="own">';
    const own = document.getElementById('own')!;
    own.addEventListener('keydown', (e) => e.preventDefault());
    expect(escapeInterrupts(press(own))).toBe(false);
  });
});

describe('app shortcuts', () => {
  const key = (k: string, over: KeyboardEventInit = {}) => new KeyboardEvent('keydown', { key: k, ...over });

  it('Ctrl or Cmd + N and K, nothing else', () => {
    expect(appShortcut(key('n', { ctrlKey: true }))).toBe('newSession');
    expect(appShortcut(key('N', { metaKey: true }))).toBe('newSession');
    expect(appShortcut(key('k', { ctrlKey: true }))).toBe('switcher');
    expect(appShortcut(key('k'))).toBeNull();
    expect(appShortcut(key('k', { ctrlKey: true, shiftKey: true }))).toBeNull();
    expect(appShortcut(key('F', { ctrlKey: true, shiftKey: true }))).toBe('search');
    expect(appShortcut(key('f', { metaKey: true, shiftKey: true }))).toBe('search');
    expect(appShortcut(key('f', { ctrlKey: true }))).toBeNull();
    expect(appShortcut(key('f', { shiftKey: true }))).toBeNull();
    expect(appShortcut(key('f', { ctrlKey: true, shiftKey: true, altKey: true }))).toBeNull();
    expect(appShortcut(key('n', { ctrlKey: true, altKey: true }))).toBeNull();
    expect(appShortcut(key('x', { ctrlKey: true }))).toBeNull();
  });
});
