import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { defaultSettings } from '../lib/__fixtures__/data';
import { fakeApi } from '../lib/__fixtures__/fakeApi';
import type { SettingsView as View } from '../lib/types';
import SettingsView from './SettingsView.svelte';

const byTestId = (id: string) => screen.getByTestId(id);
const input = (id: string) => byTestId(id) as HTMLInputElement;

async function open(api = fakeApi()) {
  const onsaved = vi.fn();
  const onclose = vi.fn();
  render(SettingsView, { api, onsaved, onclose });
  await waitFor(() => expect(byTestId('settings-save')).toBeTruthy());
  return { api, onsaved, onclose };
}

describe('SettingsView', () => {
  it('is a labelled modal dialog showing every setting, timeouts in seconds and minutes', async () => {
    await open();
    const dialog = screen.getByRole('dialog', { name: 'Settings' });
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(input('settings-claude-path').value).toBe('');
    expect(input('settings-config-dir').value).toBe('');
    expect(input('settings-default-model').value).toBe('');
    expect((byTestId('settings-permission-mode') as HTMLSelectElement).value).toBe('default');
    expect(input('settings-max-sessions').value).toBe('8');
    expect(input('settings-first-chunk').value).toBe('10');
    expect(input('settings-ongoing').value).toBe('120');
    expect(input('settings-ttl').value).toBe('60');
    expect(input('settings-stuck').value).toBe('30');
    expect(input('settings-sweep').value).toBe('1');
    expect(input('settings-interrupt-grace').value).toBe('3');
    expect(input('settings-interrupt-timeout').value).toBe('15');
    expect(input('settings-reconnect-attempts').value).toBe('3');
    expect(input('settings-reconnect-backoff').value).toBe('0.5');
    expect(input('settings-tray-recent').value).toBe('10');
    expect(input('settings-close-to-tray').checked).toBe(true);
    expect(input('settings-notifications').checked).toBe(true);
    expect((byTestId('settings-theme') as HTMLSelectElement).value).toBe('system');
    // Every field has a name a screen reader can say.
    expect(screen.getByLabelText('claude executable')).toBe(byTestId('settings-claude-path'));
    expect(screen.getByLabelText(/Recent sessions in the tray/)).toBe(byTestId('settings-tray-recent'));
    expect(screen.getByLabelText(/Interrupt: give up after \(s\)/)).toBe(byTestId('settings-interrupt-timeout'));
    expect(byTestId('settings-config-dir-in-use').textContent).toContain('/home/dev/.claude');
  });

  it('saves what was edited, in ms, and hands the saved settings back', async () => {
    const { api, onsaved } = await open();
    await fireEvent.input(byTestId('settings-claude-path'), { target: { value: ' /opt/claude ' } });
    await fireEvent.input(byTestId('settings-default-model'), { target: { value: 'opus' } });
    await fireEvent.change(byTestId('settings-permission-mode'), { target: { value: 'acceptEdits' } });
    await fireEvent.input(byTestId('settings-max-sessions'), { target: { value: '3' } });
    await fireEvent.input(byTestId('settings-ongoing'), { target: { value: '90' } });
    await fireEvent.input(byTestId('settings-interrupt-grace'), { target: { value: '1.5' } });
    await fireEvent.click(byTestId('settings-notifications'));
    await fireEvent.change(byTestId('settings-theme'), { target: { value: 'light' } });
    await fireEvent.click(byTestId('settings-save'));
    await waitFor(() => expect(byTestId('settings-saved')).toBeTruthy());
    const sent = api.mocks.saveSettings.mock.calls[0][0];
    const want = defaultSettings();
    expect(sent).toEqual({
      ...want,
      claudePath: '/opt/claude',
      defaultModel: 'opus',
      defaultPermissionMode: 'acceptEdits',
      pool: { ...want.pool, maxSessions: 3, ongoingTimeoutMs: 90_000, interruptGraceMs: 1_500 },
      notifications: false,
      theme: 'light',
    });
    expect(onsaved).toHaveBeenCalledWith(sent);
    expect(screen.queryByTestId('settings-error')).toBeNull();
  });

  it('shows the backend’s invalid_input message next to the form, and keeps what was typed', async () => {
    const { onsaved } = await open();
    await fireEvent.input(byTestId('settings-tray-recent'), { target: { value: '80' } });
    await fireEvent.click(byTestId('settings-save'));
    await waitFor(() => expect(byTestId('settings-error').textContent).toContain('the tray lists 1 to 50 recent sessions, not 80'));
    expect(byTestId('settings-error').getAttribute('role')).toBe('alert');
    expect(input('settings-tray-recent').value).toBe('80');
    expect(onsaved).not.toHaveBeenCalled();
    expect(screen.queryByTestId('settings-saved')).toBeNull();
  });

  it('refuses a count that is not whole before asking the backend', async () => {
    const { api } = await open();
    await fireEvent.input(byTestId('settings-max-sessions'), { target: { value: '2.5' } });
    await fireEvent.click(byTestId('settings-save'));
    await waitFor(() => expect(byTestId('settings-error').textContent).toBe('Pool size: "2.5" is not a whole number'));
    expect(api.mocks.saveSettings).not.toHaveBeenCalled();
  });

  it('Find looks for claude automatically; a typed path is tested instead, with where and which version', async () => {
    const { api } = await open();
    expect(byTestId('settings-claude-test').textContent?.trim()).toBe('Find');
    await fireEvent.click(byTestId('settings-claude-test'));
    await waitFor(() => expect(api.mocks.discoverClaude).toHaveBeenCalledWith(null));
    await fireEvent.input(byTestId('settings-claude-path'), { target: { value: '/opt/bin/claude' } });
    expect(byTestId('settings-claude-test').textContent?.trim()).toBe('Test');
    await fireEvent.click(byTestId('settings-claude-test'));
    await waitFor(() => expect(byTestId('settings-claude-found').textContent).toContain('/opt/bin/claude'));
    expect(api.mocks.discoverClaude).toHaveBeenLastCalledWith('/opt/bin/claude');
    expect(byTestId('settings-claude-found').textContent).toContain('the path set here');
    expect(byTestId('settings-claude-found').textContent).toContain('2.1.112');
    expect(api.mocks.saveSettings).not.toHaveBeenCalled();
  });

  it('says where it looked when claude is nowhere', async () => {
    await open();
    await fireEvent.input(byTestId('settings-claude-path'), { target: { value: '/nowhere/claude' } });
    await fireEvent.click(byTestId('settings-claude-test'));
    await waitFor(() => expect(byTestId('settings-claude-tried').textContent).toContain('not an executable file'));
    expect(screen.getAllByRole('listitem').map((li) => li.textContent)).toContain('claude on PATH');
    expect(screen.queryByTestId('settings-claude-found')).toBeNull();
  });

  it('a config dir other than the one in use is said to apply after a restart', async () => {
    await open();
    expect(byTestId('settings-config-dir-in-use').textContent).not.toContain('starts again');
    await fireEvent.input(byTestId('settings-config-dir'), { target: { value: '/data/claude' } });
    expect(byTestId('settings-config-dir-in-use').textContent).toContain('applies when ccdesk starts again');
  });

  it('shows the notices a save returns', async () => {
    const api = fakeApi();
    const saved: View = {
      settings: defaultSettings(),
      claude: { found: null, tried: [] },
      notices: ['The settings file was corrupt; it was kept as settings.json.bak and the defaults are used.'],
      configDirInUse: '/home/dev/.claude',
    };
    api.mocks.saveSettings.mockResolvedValueOnce(saved);
    await open(api);
    await fireEvent.click(byTestId('settings-save'));
    await waitFor(() => expect(byTestId('settings-notices').textContent).toContain('settings.json.bak'));
  });

  it('Esc and Close close it without saving', async () => {
    const { api, onclose } = await open();
    await fireEvent.keyDown(byTestId('settings-theme'), { key: 'Escape' });
    expect(onclose).toHaveBeenCalledTimes(1);
    await fireEvent.click(byTestId('settings-cancel'));
    expect(onclose).toHaveBeenCalledTimes(2);
    expect(api.mocks.saveSettings).not.toHaveBeenCalled();
  });

  it('a settings read that fails says why', async () => {
    const api = fakeApi();
    api.mocks.settings.mockRejectedValueOnce({ kind: 'store', message: 'cannot read settings.json: permission denied' });
    render(SettingsView, { api, onsaved: vi.fn(), onclose: vi.fn() });
    await waitFor(() => expect(screen.getByRole('dialog').textContent).toContain('permission denied'));
    expect(screen.queryByTestId('settings-save')).toBeNull();
  });

  it('turns the vault on with its cap, and says what it holds', async () => {
    const api = fakeApi();
    api.mocks.vaultStats.mockResolvedValue({ sessions: 12, archived: 2, files: 20, originalBytes: 50 * 1024 * 1024, storedBytes: 6 * 1024 * 1024, dir: '/d/vault' });
    await open(api);
    await waitFor(() => expect(byTestId('settings-vault-stats').textContent).toContain('Holds 12 sessions (2 archived'));
    expect(byTestId('settings-vault-stats').textContent).toContain('50.0 MiB of transcripts in 6.0 MiB');
    expect(input('settings-vault-on').checked).toBe(false);
    expect(input('settings-vault-max').value).toBe('4096');
    await fireEvent.click(input('settings-vault-on'));
    await fireEvent.input(input('settings-vault-max'), { target: { value: '512' } });
    await fireEvent.click(byTestId('settings-save'));
    await waitFor(() => expect(api.mocks.saveSettings).toHaveBeenCalled());
    expect(api.mocks.saveSettings.mock.calls[0][0].vault).toEqual({ enabled: true, maxMb: 512 });
  });

  it('leaves the vault unasked when saved off before the first start’s question was answered', async () => {
    const api = fakeApi({ settings: { ...defaultSettings(), vault: { enabled: null, maxMb: 4096 } } });
    await open(api);
    await waitFor(() => expect(byTestId('settings-vault-stats').textContent).toContain('Empty'));
    await fireEvent.click(byTestId('settings-save'));
    await waitFor(() => expect(api.mocks.saveSettings).toHaveBeenCalled());
    expect(api.mocks.saveSettings.mock.calls[0][0].vault.enabled).toBeNull();
  });
});
