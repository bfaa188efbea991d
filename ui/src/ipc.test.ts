// Pins the command names and argument shapes of the backend contract.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const invoke = vi.fn();
const open = vi.fn();
const listen = vi.fn();
class FakeChannel {
  onmessage: ((m: unknown) => void) | null = null;
}
vi.mock('@tauri-apps/api/core', () => ({ invoke: (...a: unknown[]) => invoke(...a), Channel: FakeChannel }));
vi.mock('@tauri-apps/plugin-dialog', () => ({ open: (...a: unknown[]) => open(...a) }));
vi.mock('@tauri-apps/api/event', () => ({ listen: (...a: unknown[]) => listen(...a) }));
const onDragDropEvent = vi.fn();
vi.mock('@tauri-apps/api/webview', () => ({ getCurrentWebview: () => ({ onDragDropEvent: (...a: unknown[]) => onDragDropEvent(...a) }) }));

const { tauriApi } = await import('./ipc');

beforeEach(() => {
  invoke.mockReset();
  open.mockReset();
  listen.mockReset();
  onDragDropEvent.mockReset();
});

describe('tauriApi', () => {
  it('calls the read commands by their names', async () => {
    invoke.mockResolvedValue({ ok: true });
    await tauriApi.listProjects();
    await tauriApi.projectSessions('cwd:/p');
    await tauriApi.findSession('-p/abc');
    await tauriApi.sessionBriefs();
    await tauriApi.showSession('-p/abc');
    await tauriApi.showSession('-p/abc', { from: 400, limit: 200 });
    await tauriApi.transcriptEntry('-p/abc', 17);
    await tauriApi.appInfo();
    expect(invoke.mock.calls).toEqual([
      ['list_projects'],
      ['project_sessions', { projectKey: 'cwd:/p' }],
      ['find_session', { keyOrId: '-p/abc' }],
      ['session_briefs'],
      ['show_session', { sessionKey: '-p/abc', from: null, limit: null }],
      ['show_session', { sessionKey: '-p/abc', from: 400, limit: 200 }],
      ['transcript_entry', { sessionKey: '-p/abc', index: 17 }],
      ['app_info'],
    ]);
  });

  it('starts a session with a channel that delivers its events to the callback', async () => {
    invoke.mockResolvedValue({ runId: 'r1' });
    const seen: unknown[] = [];
    const request = { cwd: '/p', prompt: 'hi', resume: 'sid', forkSession: true };
    await expect(tauriApi.startSession(request, (e) => seen.push(e))).resolves.toEqual({ runId: 'r1' });
    const [name, args] = invoke.mock.calls[0];
    expect(name).toBe('start_session');
    expect(args.request).toBe(request);
    expect(args.onEvent).toBeInstanceOf(FakeChannel);
    args.onEvent.onmessage({ event: 'malformed', preview: 'x' });
    expect(seen).toEqual([{ event: 'malformed', preview: 'x' }]);
  });

  it('attaches to a live session with a new channel', async () => {
    invoke.mockResolvedValue({ runId: 'r1', state: 'ready' });
    const seen: unknown[] = [];
    await expect(tauriApi.attachSession('r1', (e) => seen.push(e))).resolves.toEqual({ runId: 'r1', state: 'ready' });
    const [name, args] = invoke.mock.calls[0];
    expect(name).toBe('attach_session');
    expect(args.runId).toBe('r1');
    args.onEvent.onmessage({ event: 'warning', code: 'stuck', message: 'm' });
    expect(seen).toEqual([{ event: 'warning', code: 'stuck', message: 'm' }]);
  });

  it('calls the session commands by name with their arguments', async () => {
    invoke.mockResolvedValue(null);
    await expect(tauriApi.sendPrompt('r1', 'more')).resolves.toBeUndefined();
    await expect(tauriApi.answerPermission('r1', 'q1', { decision: 'deny', message: 'no' })).resolves.toBeUndefined();
    await expect(tauriApi.setPermissionMode('r1', 'acceptEdits')).resolves.toBeUndefined();
    await expect(tauriApi.closeSession('r1')).resolves.toBeUndefined();
    invoke.mockResolvedValueOnce('turnEnded').mockResolvedValueOnce({ sessions: [], live: 0 });
    await expect(tauriApi.interruptSession('r1')).resolves.toBe('turnEnded');
    await expect(tauriApi.poolSnapshot()).resolves.toEqual({ sessions: [], live: 0 });
    expect(invoke.mock.calls).toEqual([
      ['send_prompt', { runId: 'r1', prompt: 'more' }],
      ['answer_permission', { runId: 'r1', requestId: 'q1', answer: { decision: 'deny', message: 'no' } }],
      ['set_permission_mode', { runId: 'r1', mode: 'acceptEdits' }],
      ['close_session', { runId: 'r1' }],
      ['interrupt_session', { runId: 'r1' }],
      ['pool_snapshot'],
    ]);
  });

  it('calls the registry commands by name and passes the registry back', async () => {
    const registry = { version: 1, sessions: { s1: { name: 'My fix', pinned: true, cwd: '/p', lastState: 'ready', lastRunAtMs: 1, history: [] } } };
    invoke.mockResolvedValue(registry);
    await expect(tauriApi.registry()).resolves.toBe(registry);
    await expect(tauriApi.renameSession('s1', 'My fix')).resolves.toBe(registry);
    await expect(tauriApi.pinSession('s1', false)).resolves.toBe(registry);
    expect(invoke.mock.calls).toEqual([
      ['registry'],
      ['rename_session', { sessionId: 's1', name: 'My fix' }],
      ['pin_session', { sessionId: 's1', pinned: false }],
    ]);
  });

  it('listens to pool://session and hands over the payload; the result stops it', async () => {
    const unlisten = vi.fn();
    listen.mockResolvedValue(unlisten);
    const seen: unknown[] = [];
    const stop = await tauriApi.onPoolChange((info) => seen.push(info));
    expect(listen.mock.calls[0][0]).toBe('pool://session');
    const handler = listen.mock.calls[0][1] as (e: { payload: unknown }) => void;
    handler({ payload: { runId: 'r1', state: 'waitingForPermission' } });
    expect(seen).toEqual([{ runId: 'r1', state: 'waitingForPermission' }]);
    stop();
    expect(unlisten).toHaveBeenCalled();
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

  it('calls the settings and desktop commands by name with their arguments', async () => {
    invoke.mockResolvedValue(null);
    const settings = { version: 1, trayRecent: 5 } as unknown as import('./lib/types').Settings;
    await tauriApi.settings();
    await tauriApi.saveSettings(settings);
    await tauriApi.discoverClaude('/opt/claude');
    await tauriApi.discoverClaude(null);
    await tauriApi.classifyDrop(['/a b'], 'promptBox');
    await tauriApi.takeLaunchIntents();
    await tauriApi.trayMenu();
    await expect(tauriApi.trayAction({ kind: 'resume', sessionId: 's1' })).resolves.toBeUndefined();
    expect(invoke.mock.calls).toEqual([
      ['settings'],
      ['save_settings', { settings }],
      ['discover_claude', { path: '/opt/claude' }],
      ['discover_claude', { path: null }],
      ['classify_drop', { paths: ['/a b'], target: 'promptBox' }],
      ['take_launch_intents'],
      ['tray_menu'],
      ['tray_action', { action: { kind: 'resume', sessionId: 's1' } }],
    ]);
  });

  it('listens to app://open and index://changed', async () => {
    listen.mockResolvedValue(() => {});
    const opened: unknown[] = [];
    const changed: unknown[] = [];
    await tauriApi.onAppOpen((r) => opened.push(r));
    await tauriApi.onIndexChanged((change) => changed.push(change));
    expect(listen.mock.calls.map((c) => c[0])).toEqual(['app://open', 'index://changed']);
    (listen.mock.calls[0][1] as (e: { payload: unknown }) => void)({ payload: { kind: 'folder', path: '/w' } });
    const delta = { sessionIds: ['s1'], changed: [], removed: ['-w/s1'], projects: [] };
    (listen.mock.calls[1][1] as (e: { payload: unknown }) => void)({ payload: delta });
    (listen.mock.calls[1][1] as (e: { payload: unknown }) => void)({ payload: null });
    expect(opened).toEqual([{ kind: 'folder', path: '/w' }]);
    expect(changed).toEqual([delta]);
  });

  it('listens to registry://changed and hands over the registry as sent; the result stops it', async () => {
    const unlisten = vi.fn();
    listen.mockResolvedValue(unlisten);
    const seen: unknown[] = [];
    const stop = await tauriApi.onRegistryChanged((r) => seen.push(r));
    expect(listen.mock.calls.map((c) => c[0])).toEqual(['registry://changed']);
    const registry = { version: 1, sessions: { s1: { name: 'Named', pinned: true, cwd: '/w', lastState: 'ready', lastRunAtMs: 1, history: [] } } };
    (listen.mock.calls[0][1] as (e: { payload: unknown }) => void)({ payload: registry });
    expect(seen).toEqual([registry]);
    stop();
    expect(unlisten).toHaveBeenCalled();
  });

  it('maps the webview drag-and-drop events (over and leave carry no paths)', async () => {
    onDragDropEvent.mockResolvedValue(() => {});
    const seen: unknown[] = [];
    await tauriApi.onDragDrop((e) => seen.push(e));
    const handler = onDragDropEvent.mock.calls[0][0] as (e: { payload: unknown }) => void;
    handler({ payload: { type: 'enter', paths: ['/a'], position: { x: 1, y: 2 } } });
    handler({ payload: { type: 'over', position: { x: 3, y: 4 } } });
    handler({ payload: { type: 'drop', paths: ['/a'], position: { x: 5, y: 6 } } });
    handler({ payload: { type: 'leave' } });
    expect(seen).toEqual([
      { type: 'enter', paths: ['/a'], position: { x: 1, y: 2 } },
      { type: 'over', paths: [], position: { x: 3, y: 4 } },
      { type: 'drop', paths: ['/a'], position: { x: 5, y: 6 } },
      { type: 'leave', paths: [], position: null },
    ]);
  });
});
