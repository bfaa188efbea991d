import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import NewSessionDialog from './NewSessionDialog.svelte';

const byTestId = (id: string) => screen.getByTestId(id);
const value = (id: string) => (byTestId(id) as HTMLInputElement).value;

function open(props: Record<string, unknown> = {}) {
  const onstart = vi.fn();
  const oncancel = vi.fn();
  const pickFolder = vi.fn(async () => '/picked/folder');
  const r = render(NewSessionDialog, { pickFolder, onstart, oncancel, ...props });
  return { ...r, onstart, oncancel, pickFolder };
}

describe('NewSessionDialog', () => {
  it('a given folder names the sheet; the model and permission mode come from the settings', async () => {
    const { onstart } = open({ initialCwd: '/work/demo project', defaultModel: 'opus', defaultPermissionMode: 'acceptEdits' });
    expect(screen.getByRole('dialog', { name: 'New session in demo project' }).getAttribute('aria-modal')).toBe('true');
    expect(value('new-session-cwd')).toBe('/work/demo project');
    expect(value('new-session-model')).toBe('opus');
    expect(value('new-session-permission-mode')).toBe('acceptEdits');
    await fireEvent.input(byTestId('new-session-prompt'), { target: { value: 'hello' } });
    await fireEvent.click(byTestId('new-session-start'));
    expect(onstart).toHaveBeenCalledWith({ cwd: '/work/demo project', prompt: 'hello', model: 'opus', permissionMode: 'acceptEdits' });
  });

  it('the default permission mode and a blank model leave the choice to the CLI', async () => {
    const { onstart } = open({ initialCwd: '/w', defaultModel: null, defaultPermissionMode: 'default' });
    expect(value('new-session-model')).toBe('');
    expect(value('new-session-permission-mode')).toBe('');
    await fireEvent.input(byTestId('new-session-prompt'), { target: { value: 'go' } });
    await fireEvent.click(byTestId('new-session-start'));
    expect(onstart).toHaveBeenCalledWith({ cwd: '/w', prompt: 'go', model: null, permissionMode: null });
  });

  it('nothing starts without a folder and a prompt', async () => {
    const { onstart } = open();
    const start = byTestId('new-session-start') as HTMLButtonElement;
    expect(byTestId('new-session-title').textContent).toBe('New session');
    expect(start.disabled).toBe(true);
    await fireEvent.input(byTestId('new-session-prompt'), { target: { value: 'hello' } });
    expect(start.disabled).toBe(true);
    await fireEvent.submit(start.closest('form') as HTMLFormElement);
    expect(onstart).not.toHaveBeenCalled();
    await fireEvent.click(byTestId('new-session-choose'));
    await waitFor(() => expect(value('new-session-cwd')).toBe('/picked/folder'));
    expect(start.disabled).toBe(false);
  });

  it('a folder given again while open replaces the folder and keeps the prompt', async () => {
    const { rerender } = open({ initialCwd: '/w/one' });
    await fireEvent.input(byTestId('new-session-prompt'), { target: { value: 'keep me' } });
    await rerender({ initialCwd: '/w/two' });
    expect(value('new-session-cwd')).toBe('/w/two');
    expect(value('new-session-prompt')).toBe('keep me');
    expect(byTestId('new-session-title').textContent).toBe('New session in two');
  });

  it('Esc cancels', async () => {
    const { oncancel, onstart } = open({ initialCwd: '/w' });
    await fireEvent.keyDown(byTestId('new-session-prompt'), { key: 'Escape' });
    expect(oncancel).toHaveBeenCalled();
    expect(onstart).not.toHaveBeenCalled();
  });

  it('with several config dirs a new session picks one (the list filter first), the first needing no name', async () => {
    const { onstart } = open({ initialCwd: '/w', profiles: ['personal', 'work'], initialProfile: 'work' });
    expect(value('new-session-profile')).toBe('work');
    await fireEvent.input(byTestId('new-session-prompt'), { target: { value: 'go' } });
    await fireEvent.click(byTestId('new-session-start'));
    expect(onstart).toHaveBeenLastCalledWith({ cwd: '/w', prompt: 'go', model: null, permissionMode: null, profile: 'work' });
    await fireEvent.change(byTestId('new-session-profile'), { target: { value: 'personal' } });
    await fireEvent.click(byTestId('new-session-start'));
    expect(onstart).toHaveBeenLastCalledWith({ cwd: '/w', prompt: 'go', model: null, permissionMode: null });
  });

  it('one config dir: no choice is shown', () => {
    open({ initialCwd: '/w', profiles: [] });
    expect(screen.queryByTestId('new-session-profile')).toBeNull();
  });
});
