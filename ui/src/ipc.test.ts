// Pins the command names and argument shapes of the backend contract.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const invoke = vi.fn();
const open = vi.fn();
class FakeChannel {
  onmessage: ((m: unknown) => void) | null = null;
}
vi.mock('@tauri-apps/api/core', () => ({ invoke: (...a: unknown[]) => invoke(...a), Channel: FakeChannel }));
vi.mock('@tauri-apps/plugin-dialog', () => ({ open: (...a: unknown[]) => open(...a) }));

const { tauriApi } = await import('./ipc');

beforeEach(() => {
  invoke.mockReset();
  open.mockReset();
});

describe('tauriApi', () => {
  it('calls the read commands by their names', async () => {
    invoke.mockResolvedValue({ ok: true });
    await tauriApi.listSessions();
    await tauriApi.showSession('abc');
    await tauriApi.appInfo();
    expect(invoke.mock.calls).toEqual([['list_sessions'], ['show_session', { sessionId: 'abc' }], ['app_info']]);
  });

  it('starts a run with a channel that delivers events to the callback', async () => {
    invoke.mockResolvedValue({ runId: 'r1' });
    const seen: unknown[] = [];
    const request = { cwd: '/p', prompt: 'hi', resume: 'sid' };
    await expect(tauriApi.startRun(request, (e) => seen.push(e))).resolves.toEqual({ runId: 'r1' });
    const [name, args] = invoke.mock.calls[0];
    expect(name).toBe('start_run');
    expect(args.request).toBe(request);
    expect(args.onEvent).toBeInstanceOf(FakeChannel);
    args.onEvent.onmessage({ event: 'malformed', preview: 'x' });
    expect(seen).toEqual([{ event: 'malformed', preview: 'x' }]);
  });

  it('sends follow-ups and stops runs by id', async () => {
    invoke.mockResolvedValue(null);
    await expect(tauriApi.sendPrompt('r1', 'more')).resolves.toBeUndefined();
    await expect(tauriApi.stopRun('r1')).resolves.toBeUndefined();
    expect(invoke.mock.calls).toEqual([['send_prompt', { runId: 'r1', prompt: 'more' }], ['stop_run', { runId: 'r1' }]]);
  });

  it('passes command errors through unchanged', async () => {
    const err = { kind: 'unknown_session', message: 'No such session.' };
    invoke.mockRejectedValue(err);
    await expect(tauriApi.showSession('x')).rejects.toBe(err);
  });

  it('picks one folder', async () => {
    open.mockResolvedValueOnce('/a').mockResolvedValueOnce(['/b', '/c']).mockResolvedValueOnce(null);
    expect(await tauriApi.pickFolder('/start')).toBe('/a');
    expect(open).toHaveBeenCalledWith({ directory: true, multiple: false, defaultPath: '/start' });
    expect(await tauriApi.pickFolder()).toBe('/b');
    expect(await tauriApi.pickFolder()).toBeNull();
  });
});
