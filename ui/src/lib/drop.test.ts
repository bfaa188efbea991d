import { describe, expect, it, vi } from 'vitest';
import { fakeApi } from './__fixtures__/fakeApi';
import { DropRouter, insertAtCursor, promptBoxAt } from './drop.svelte';

function setup(elementAt: (x: number, y: number) => Element | null, ratio = 1) {
  const api = fakeApi();
  const folder = vi.fn();
  const rejected = vi.fn();
  const router = new DropRouter(api, { folder, rejected }, elementAt, () => ratio);
  return { api, folder, rejected, router };
}

describe('drops on the window', () => {
  it('a folder on the window offers a session there; nothing starts', async () => {
    const body = document.createElement('div');
    const { api, folder, rejected, router } = setup(() => body);
    await router.handle({ type: 'enter', paths: ['/w/proj'], position: { x: 10, y: 10 } });
    expect(router.dragging).toBe(true);
    expect(router.overPrompt).toBe(false);
    const outcome = await router.handle({ type: 'drop', paths: ['/w/proj'], position: { x: 10, y: 10 } });
    expect(outcome).toEqual({ kind: 'folder', path: '/w/proj' });
    expect(api.mocks.classifyDrop).toHaveBeenCalledWith(['/w/proj'], 'window');
    expect(folder).toHaveBeenCalledWith('/w/proj');
    expect(rejected).not.toHaveBeenCalled();
    expect(api.mocks.startSession).not.toHaveBeenCalled();
    expect(router.dragging).toBe(false);
  });

  it('anything else gets the backend’s message', async () => {
    const { folder, rejected, router } = setup(() => null);
    await router.handle({ type: 'drop', paths: ['/a', '/b'], position: { x: 1, y: 1 } });
    expect(folder).not.toHaveBeenCalled();
    expect(rejected).toHaveBeenCalledWith('2 items were dropped. Drop one folder to start a session there.');
  });

  it('a failing classification is reported, not thrown', async () => {
    const { api, rejected, router } = setup(() => null);
    api.mocks.classifyDrop.mockRejectedValueOnce({ kind: 'internal', message: 'boom' });
    await expect(router.handle({ type: 'drop', paths: ['/a'], position: null })).resolves.toBeNull();
    expect(rejected).toHaveBeenCalledWith(expect.stringContaining('boom'));
  });

  it('leaving the window ends the drag', async () => {
    const { router } = setup(() => null);
    await router.handle({ type: 'over', paths: [], position: { x: 1, y: 1 } });
    expect(router.dragging).toBe(true);
    await router.handle({ type: 'leave', paths: [], position: null });
    expect(router.dragging).toBe(false);
  });
});

describe('drops on a prompt box', () => {
  function promptBox(value: string) {
    const form = document.createElement('form');
    const box = document.createElement('textarea');
    box.setAttribute('data-drop', 'prompt');
    box.value = value;
    form.appendChild(box);
    document.body.appendChild(form);
    return box;
  }

  it('files become @mentions at the cursor, at physical-pixel positions scaled to CSS pixels', async () => {
    const box = promptBox('look at  please');
    box.setSelectionRange(8, 8);
    const seen: number[][] = [];
    const { api, folder, router } = setup((x, y) => {
      seen.push([x, y]);
      return box;
    }, 2);
    const input = vi.fn();
    box.addEventListener('input', input);
    await router.handle({ type: 'over', paths: [], position: { x: 40, y: 20 } });
    expect(router.overPrompt).toBe(true);
    await router.handle({ type: 'drop', paths: ['/w/a.rs', '/w/b.rs'], position: { x: 40, y: 20 } });
    expect(seen.at(-1)).toEqual([20, 10]);
    expect(api.mocks.classifyDrop).toHaveBeenCalledWith(['/w/a.rs', '/w/b.rs'], 'promptBox');
    expect(box.value).toBe('look at @/w/a.rs @/w/b.rs please');
    expect(input).toHaveBeenCalled();
    expect(folder).not.toHaveBeenCalled();
    box.closest('form')?.remove();
  });

  it('finds the box from an element inside a marked container', () => {
    const wrap = document.createElement('div');
    wrap.setAttribute('data-drop', 'prompt');
    const ta = document.createElement('textarea');
    const span = document.createElement('span');
    wrap.append(span, ta);
    expect(promptBoxAt(span)).toBe(ta);
    expect(promptBoxAt(document.createElement('p'))).toBeNull();
    expect(promptBoxAt(null)).toBeNull();
  });

  it('a disabled or read-only box takes nothing: the drop is one on the window', async () => {
    const box = promptBox('');
    box.disabled = true;
    expect(promptBoxAt(box)).toBeNull();
    const { api, folder, router } = setup(() => box);
    await router.handle({ type: 'over', paths: [], position: { x: 1, y: 1 } });
    expect(router.overPrompt).toBe(false);
    await router.handle({ type: 'drop', paths: ['/w/proj'], position: { x: 1, y: 1 } });
    expect(api.mocks.classifyDrop).toHaveBeenCalledWith(['/w/proj'], 'window');
    expect(folder).toHaveBeenCalledWith('/w/proj');
    expect(box.value).toBe('');
    box.disabled = false;
    box.readOnly = true;
    expect(promptBoxAt(box)).toBeNull();
    box.closest('form')?.remove();
  });

  it('replaces the selection with the mention', () => {
    const box = document.createElement('textarea');
    box.value = 'see FILE here';
    box.setSelectionRange(4, 8);
    insertAtCursor(box, "@'/x y/z'");
    expect(box.value).toBe("see @'/x y/z' here");
    expect(box.selectionStart).toBe("see @'/x y/z'".length);
  });

  it('inserts into an empty box and before text without doubling spaces', () => {
    const box = document.createElement('textarea');
    insertAtCursor(box, '@/x');
    expect(box.value).toBe('@/x ');
    box.value = 'abc';
    box.setSelectionRange(0, 0);
    insertAtCursor(box, '@/y');
    expect(box.value).toBe('@/y abc');
  });
});
