// The modal sheet's focus handling, through the sheets that use it.
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi } from '../lib/__fixtures__/fakeApi';
import NewSessionDialog from './NewSessionDialog.svelte';
import SettingsView from './SettingsView.svelte';

const props = (initialCwd = '') => ({ initialCwd, pickFolder: vi.fn(async () => null), onstart: vi.fn(), oncancel: vi.fn() });

afterEach(() => {
  document.body.replaceChildren();
});

describe('Sheet', () => {
  it('takes the focus when it opens: its first field, unless the content focused one itself', async () => {
    const first = render(NewSessionDialog, props());
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('new-session-cwd')));
    first.unmount();
    render(NewSessionDialog, props('/work/demo'));
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('new-session-prompt')));
  });

  it('Tab and Shift+Tab cycle inside the sheet', async () => {
    render(NewSessionDialog, props());
    const dialog = screen.getByRole('dialog');
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('new-session-cwd')));
    const cancel = screen.getByRole('button', { name: 'Cancel' });
    // Start is disabled until a prompt is typed: Cancel is the last stop.
    cancel.focus();
    await fireEvent.keyDown(cancel, { key: 'Tab' });
    expect(document.activeElement).toBe(screen.getByTestId('new-session-cwd'));
    await fireEvent.keyDown(dialog, { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(cancel);
    // In between, Tab is the browser's.
    screen.getByTestId('new-session-prompt').focus();
    const ev = new KeyboardEvent('keydown', { key: 'Tab', bubbles: true, cancelable: true });
    screen.getByTestId('new-session-prompt').dispatchEvent(ev);
    expect(ev.defaultPrevented).toBe(false);
  });

  it('skips the fields of a closed <details> when cycling', async () => {
    render(SettingsView, { api: fakeApi(), onsaved: vi.fn(), onclose: vi.fn() });
    const save = await waitFor(() => screen.getByTestId('settings-save'));
    await fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(save);
    const advanced = screen.getByTestId('settings-advanced') as HTMLDetailsElement;
    expect(advanced.open).toBe(false);
    // Shift+Tab from the first field goes to Save, never into the hidden knobs.
    screen.getByTestId('settings-claude-path').focus();
    await fireEvent.keyDown(screen.getByTestId('settings-claude-path'), { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(save);
  });

  it('gives the focus back where it was when it closes', async () => {
    const opener = document.createElement('button');
    opener.textContent = 'New session';
    document.body.append(opener);
    opener.focus();
    const sheet = render(NewSessionDialog, props());
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('new-session-cwd')));
    sheet.unmount();
    await waitFor(() => expect(document.activeElement).toBe(opener));
  });

  it('does not take the focus back from what took it after the sheet closed', async () => {
    const opener = document.createElement('button');
    const elsewhere = document.createElement('textarea');
    document.body.append(opener, elsewhere);
    opener.focus();
    const sheet = render(NewSessionDialog, props());
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('new-session-cwd')));
    sheet.unmount();
    elsewhere.focus();
    await new Promise((r) => setTimeout(r, 0));
    expect(document.activeElement).toBe(elsewhere);
  });
});
