import { TranscriptWindow } from './lib/transcriptWindow.svelte';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { describe, expect, it } from 'vitest';
import { setPermissionCardArmMs } from './lib/permissions';
import App from './App.svelte';
import { detail, entries, index, message, permissionRequest, sessionInfo, summary } from './lib/__fixtures__/data';
import { fakeApi, type FakeApi } from './lib/__fixtures__/fakeApi';
import { sampleEvents } from './lib/__fixtures__/load';
import type { SessionEvent } from './lib/types';
import { installLayout } from './lib/__fixtures__/layout';

installLayout();

const byTestId = (id: string) => screen.getByTestId(id);

async function openApp(api: FakeApi = fakeApi()) {
  render(App, { api });
  await waitFor(() => expect(screen.getAllByTestId('project-item')).toHaveLength(3));
  return api;
}

async function openSession(id: string) {
  const item = screen.getAllByTestId('session-item').find((el) => el.dataset.sessionId === id);
  if (!item) throw new Error(`no session ${id}`);
  await fireEvent.click(item);
  await waitFor(() => expect(byTestId('transcript')).toBeTruthy());
}

function emitAll(api: FakeApi, events: SessionEvent[]) {
  for (const ev of events) api.emit(ev);
  flushSync();
}

// Permission cards are clicked as soon as they show here (PermissionCard.test.ts covers the
// pause after one appears).
setPermissionCardArmMs(0);

describe('App: browsing', () => {
  it('shows app info and the projects, newest first, with the first one open', async () => {
    await openApp();
    expect(byTestId('app-info').textContent).toContain('/home/dev/.claude');
    expect(byTestId('app-info').textContent).toContain('/usr/local/bin/claude');
    const projects = screen.getAllByTestId('project-item');
    expect(projects.map((p) => p.dataset.projectPath)).toEqual(['/home/dev/proj', '/gone/away', '']);
    expect(projects[2].textContent).toContain('-mystery');
    expect(projects[2].textContent).toContain('unknown path');
    expect(projects[0].textContent).toContain('2');
    const sessions = screen.getAllByTestId('session-item');
    expect(sessions.map((s) => s.dataset.sessionId)).toEqual([summary().id, '22222222-2222-4333-8444-555555555555']);
    expect(sessions[0].dataset.resumable).toBe('true');
    expect(within(sessions[0]).getByTestId('session-title').textContent).toBe('Say hello');
    expect(within(sessions[0]).getByTestId('resumability-badge').textContent?.trim()).toBe('resumable');
    expect(sessions[0].textContent).toContain('main');
  });

  it('shows the claude error when the CLI is missing', async () => {
    const api = fakeApi();
    api.mocks.appInfo.mockResolvedValue({ configDir: '/c', claude: { path: null, error: 'claude not found on PATH' }, version: '0.1.0', maxSessions: 8, profiles: [], notices: [] });
    await openApp(api);
    await waitFor(() => expect(byTestId('app-info').textContent).toContain('claude not found on PATH'));
  });

  it('switches projects and shows why a session cannot resume', async () => {
    await openApp();
    await fireEvent.click(screen.getAllByTestId('project-item')[1]);
    const [item] = screen.getAllByTestId('session-item');
    expect(item.dataset.resumable).toBe('false');
    expect(within(item).getByTestId('resumability-badge').textContent).toContain('/gone/away no longer exists');
    await openSession(item.dataset.sessionId!);
    expect((byTestId('resume-button') as HTMLButtonElement).disabled).toBe(true);
    expect((byTestId('resume-prompt') as HTMLTextAreaElement).disabled).toBe(true);
    expect(screen.getByText(/Not resumable: The project folder/)).toBeTruthy();
  });

  it('renders the transcript safely: messages, tool calls, subagents, no live HTML', async () => {
    await openApp();
    await openSession(summary().id);
    const t = byTestId('transcript');
    expect(within(t).getAllByTestId('message-user').length).toBeGreaterThanOrEqual(2);
    expect(within(t).getAllByTestId('message-assistant')).toHaveLength(4);
    const tools = within(t).getAllByTestId('tool-call');
    expect(tools.map((x) => x.dataset.toolName)).toEqual(['Bash', 'Agent']);
    expect(tools[0].textContent).toContain('echo hello-from-bash');
    expect(tools[0].textContent).toContain('hello-from-bash');
    expect(tools[1].textContent).toContain('subagent run');
    expect(t.querySelectorAll('.sidechain').length).toBe(2);
    expect(t.querySelector('img, script, a[href]')).toBeNull();
    expect(t.textContent).toContain('<script>window.__pwned=2</script>');
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
    expect(t.textContent).not.toContain('malformed');
  });

  it('notes unreadable transcript lines', async () => {
    const api = fakeApi();
    const base = api.mocks.showSession.getMockImplementation()!;
    api.mocks.showSession.mockImplementation(async (id: string) => {
      const d = await base(id);
      return { ...d, transcript: { ...d.transcript, malformedLines: 2 } };
    });
    await openApp(api);
    await openSession(summary().id);
    expect(byTestId('malformed-note').textContent).toContain('2 lines');
  });

  it('shows command errors in words', async () => {
    const api = fakeApi();
    api.mocks.listProjects.mockRejectedValue({ kind: 'io', message: 'Cannot read /home/dev/.claude/projects: permission denied' });
    render(App, { api });
    await waitFor(() => expect(byTestId('error-banner').textContent).toContain('permission denied'));
  });

  it('refreshes on demand', async () => {
    const api = await openApp();
    await fireEvent.click(byTestId('refresh-button'));
    await waitFor(() => expect(api.mocks.listProjects).toHaveBeenCalledTimes(2));
  });
});

describe('App: runs', () => {
  it('resumes a session and streams the reply, then takes follow-ups and stops', async () => {
    const api = await openApp();
    await openSession(summary().id);
    await fireEvent.input(byTestId('resume-prompt'), { target: { value: 'Run echo' } });
    await fireEvent.click(byTestId('resume-button'));
    await waitFor(() => expect(api.mocks.startSession).toHaveBeenCalled());
    expect(api.lastRequest()).toEqual({ cwd: '/home/dev/proj', prompt: 'Run echo', resume: summary().id });
    expect(byTestId('run-status').textContent).toBe('connecting');

    const events = sampleEvents('local-cli-2.1.330/stream/tool_use_partial_messages.stream.jsonl');
    emitAll(api, events.slice(0, 5));
    expect(byTestId('run-status').textContent).toBe('streaming');
    expect(byTestId('run-output').textContent).toContain("I'll run");
    expect(byTestId('run-output').textContent).not.toContain('a command.');
    emitAll(api, events.slice(5, 9));
    expect(byTestId('run-output').textContent).toContain("I'll run a command.");
    expect(within(byTestId('run-output')).getByTestId('tool-call').dataset.toolName).toBe('Bash');
    emitAll(api, events.slice(9));
    expect(byTestId('run-status').textContent).toBe('ready');
    const out = byTestId('run-output').textContent ?? '';
    expect(out.split('Tool said: hello-from-bash').length - 1).toBe(1);
    await waitFor(() => expect(api.mocks.listProjects).toHaveBeenCalledTimes(2));

    // the follow-up box replaces the resume box while the session is live
    expect(screen.queryByTestId('resume-prompt')).toBeNull();
    await fireEvent.input(byTestId('followup-prompt'), { target: { value: 'And again' } });
    await fireEvent.click(byTestId('followup-send'));
    await waitFor(() => expect(api.mocks.sendPrompt).toHaveBeenCalledWith('run-1', 'And again'));
    expect(byTestId('run-status').textContent).toBe('streaming');

    // Close ends the session: its view goes, the resume box is back
    await fireEvent.click(byTestId('close-run'));
    await waitFor(() => expect(api.mocks.closeSession).toHaveBeenCalledWith('run-1'));
    await waitFor(() => expect(screen.queryByTestId('run-view')).toBeNull());
    expect(screen.queryByTestId('followup-prompt')).toBeNull();
    expect(byTestId('resume-prompt')).toBeTruthy();
  });

  it('starts a new session in a chosen folder and opens it once it is listed', async () => {
    const newId = '8f03be0a-3403-4269-842c-c018168b05ae';
    let listed = false;
    const api = fakeApi({
      index: () => {
        const idx = index();
        if (listed) idx.projects[0].sessions.unshift(summary({ id: newId, title: 'Brand new' }));
        return idx;
      },
    });
    await openApp(api);
    await fireEvent.click(byTestId('new-session-button'));
    expect((byTestId('new-session-cwd') as HTMLInputElement).value).toBe('/home/dev/proj');
    expect((byTestId('new-session-start') as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.click(screen.getByText('Choose folder…'));
    await waitFor(() => expect((byTestId('new-session-cwd') as HTMLInputElement).value).toBe('/picked/folder'));
    await fireEvent.input(byTestId('new-session-prompt'), { target: { value: 'Say hello' } });
    await fireEvent.input(byTestId('new-session-model'), { target: { value: 'claude-opus-5-5' } });
    await fireEvent.click(byTestId('new-session-start'));
    await waitFor(() => expect(api.mocks.startSession).toHaveBeenCalled());
    expect(api.lastRequest()).toEqual({ cwd: '/picked/folder', prompt: 'Say hello', model: 'claude-opus-5-5', permissionMode: null });
    expect(screen.queryByTestId('new-session-prompt')).toBeNull();

    listed = true;
    emitAll(api, sampleEvents('local-cli-2.1.330/stream/tool_use_partial_messages.stream.jsonl'));
    await waitFor(() => {
      const selected = screen.getAllByTestId('session-item').find((el) => el.getAttribute('aria-current') === 'true');
      expect(selected?.dataset.sessionId).toBe(newId);
    });
    await waitFor(() => expect(api.mocks.showSession).toHaveBeenCalledWith(`-home-dev-proj/${newId}`, { from: null, limit: TranscriptWindow.firstPageLines }));
  });

  it('reports a missing CLI in words: the session failed, with the hint', async () => {
    const api = fakeApi();
    api.mocks.startSession.mockRejectedValue({ kind: 'claude_not_found', message: 'The claude CLI was not found.' });
    await openApp(api);
    await fireEvent.click(byTestId('new-session-button'));
    await fireEvent.input(byTestId('new-session-prompt'), { target: { value: 'hi' } });
    await fireEvent.click(byTestId('new-session-start'));
    await waitFor(() => expect(byTestId('run-status').textContent).toBe('failed'));
    const failure = within(byTestId('run-view')).getByTestId('run-failure');
    expect(failure.textContent).toContain('The claude CLI was not found.');
    expect(failure.textContent).toContain('Install Claude Code');
    expect(screen.queryByTestId('followup-prompt')).toBeNull();
  });

  it('shows result errors, exit code and stderr of a failed resume', async () => {
    const api = await openApp();
    await openSession(summary().id);
    await fireEvent.input(byTestId('resume-prompt'), { target: { value: 'go' } });
    await fireEvent.click(byTestId('resume-button'));
    await waitFor(() => expect(api.mocks.startSession).toHaveBeenCalled());
    emitAll(api, sampleEvents('local-cli-2.1.330/stream/resume_unknown_session.stream.jsonl'));
    emitAll(api, [
      { event: 'exited', signal: null, malformedLines: 0, code: 1, stderrTail: 'fatal: something', errors: [], sessionId: null },
      { event: 'state', info: sessionInfo({ state: 'failed', kind: 'not_resumable', message: 'the CLI cannot resume this session: No conversation found with session ID: 9999' }) },
    ]);
    const view = byTestId('run-view');
    expect(within(view).getByTestId('run-failure').textContent).toContain('the CLI cannot resume this session');
    expect(view.textContent).toContain('exit code 1');
    expect(within(view).getByTestId('run-stderr').textContent).toContain('fatal: something');
    await fireEvent.click(within(view).getByTestId('close-run'));
    await waitFor(() => expect(screen.queryByTestId('run-view')).toBeNull());
  });

  it('runs two sessions at once; the live list shows both, and a waiting one even while the other is open', async () => {
    const api = await openApp();
    await openSession(summary().id);
    await fireEvent.input(byTestId('resume-prompt'), { target: { value: 'go' } });
    await fireEvent.click(byTestId('resume-button'));
    await waitFor(() => expect(api.mocks.startSession).toHaveBeenCalledTimes(1));
    // another session can be resumed at the same time
    await openSession('22222222-2222-4333-8444-555555555555');
    expect((byTestId('resume-prompt') as HTMLTextAreaElement).disabled).toBe(false);
    await fireEvent.input(byTestId('resume-prompt'), { target: { value: 'go too' } });
    await fireEvent.click(byTestId('resume-button'));
    await waitFor(() => expect(api.mocks.startSession).toHaveBeenCalledTimes(2));
    expect(api.mocks.closeSession).not.toHaveBeenCalled();

    api.emitPool(sessionInfo({ runId: 'run-1', sessionId: summary().id, state: 'streaming', createdAtMs: 1 }));
    api.emitPool(sessionInfo({ runId: 'run-2', sessionId: '22222222-2222-4333-8444-555555555555', state: 'streaming', createdAtMs: 2 }));
    flushSync();
    let items = screen.getAllByTestId('live-item');
    expect(items.map((i) => i.dataset.runId)).toEqual(['run-2', 'run-1']);
    // run-2 is open; run-1 asks for permission: its badge says so
    api.emitPool(sessionInfo({ runId: 'run-1', sessionId: summary().id, state: 'waitingForPermission', createdAtMs: 1 }));
    flushSync();
    items = screen.getAllByTestId('live-item');
    expect(items[1].dataset.state).toBe('waitingForPermission');
    expect(within(items[1]).getByTestId('live-state').textContent).toBe('waiting for permission');
    expect(byTestId('run-view').dataset.runId).toBe('run-2');
    // clicking it opens its run view
    await fireEvent.click(items[1]);
    await waitFor(() => expect(byTestId('run-view').dataset.runId).toBe('run-1'));
  });
});

describe('App: Esc interrupts the running turn', () => {
  async function streamingApp() {
    const api = await openApp();
    await fireEvent.click(byTestId('new-session-button'));
    await fireEvent.input(byTestId('new-session-prompt'), { target: { value: 'FAKE_HANG_MIDTURN' } });
    await fireEvent.click(byTestId('new-session-start'));
    await waitFor(() => expect(api.mocks.startSession).toHaveBeenCalled());
    emitAll(api, [{ event: 'state', info: sessionInfo({ state: 'streaming' }) }]);
    return api;
  }

  it('Esc anywhere but a dialog interrupts the turn in view', async () => {
    const api = await streamingApp();
    await fireEvent.keyDown(window, { key: 'Escape' });
    expect(api.mocks.interruptSession).toHaveBeenCalledWith('run-1');
    // also while typing the follow-up
    api.mocks.interruptSession.mockClear();
    await waitFor(() => expect(byTestId('interrupt-run')).toBeTruthy());
    emitAll(api, [{ event: 'state', info: sessionInfo({ state: 'streaming' }) }]);
    await fireEvent.keyDown(byTestId('followup-prompt'), { key: 'Escape' });
    await waitFor(() => expect(api.mocks.interruptSession).toHaveBeenCalledTimes(1));
  });

  it('Esc in the new-session dialog closes the dialog and interrupts nothing', async () => {
    const api = await streamingApp();
    await fireEvent.click(byTestId('new-session-button'));
    await fireEvent.keyDown(byTestId('new-session-prompt'), { key: 'Escape' });
    expect(screen.queryByTestId('new-session-prompt')).toBeNull();
    expect(api.mocks.interruptSession).not.toHaveBeenCalled();
  });

  it('Esc does nothing when no turn runs, or in the deny message box', async () => {
    const api = await streamingApp();
    emitAll(api, [{ event: 'permission', request: permissionRequest() }]);
    await fireEvent.click(byTestId('permission-deny'));
    await fireEvent.keyDown(byTestId('permission-deny-message'), { key: 'Escape' });
    expect(api.mocks.interruptSession).not.toHaveBeenCalled();
    expect(screen.queryByTestId('permission-deny-message')).toBeNull();
    emitAll(api, [{ event: 'state', info: sessionInfo({ state: 'ready' }) }]);
    await fireEvent.keyDown(window, { key: 'Escape' });
    expect(api.mocks.interruptSession).not.toHaveBeenCalled();
  });
});

describe('App: the pool view', () => {
  it('lists every live session with its numbers and totals; Close closes, a row opens its run', async () => {
    const api = fakeApi({
      pool: () => ({
        sessions: [
          sessionInfo({ runId: 'run-2', cwd: '/work/b', state: 'failed', kind: 'crashed', message: 'claude exited with code 3', createdAtMs: 2 }),
          sessionInfo({ runId: 'run-1', cwd: '/work/a', state: 'ready', createdAtMs: 1, turns: 2, costUsd: 0.25, bytesStreamed: 2048, tokens: { input: 1500, output: 20, cacheRead: 0, cacheCreation: 0 } }),
        ],
        byState: { ready: 1, failed: 1 },
        live: 1,
        maxSessions: 8,
        totalCreated: 5,
      }),
    });
    api.mocks.attachSession.mockImplementation(async (runId) => (await api.poolSnapshot()).sessions.find((s) => s.runId === runId)!);
    await openApp(api);
    await waitFor(() => expect(screen.getAllByTestId('live-item')).toHaveLength(2));
    expect(byTestId('live-count').textContent).toBe('1');
    await fireEvent.click(byTestId('open-pool-view'));
    const pool = byTestId('pool-view');
    expect(within(pool).getByTestId('pool-live').textContent).toBe('1 of 8 live');
    expect(within(pool).getByTestId('pool-total-created').textContent).toContain('5');
    expect(within(pool).getAllByTestId('pool-by-state').map((e) => e.textContent)).toEqual(['ready: 1', 'failed: 1']);
    const rows = within(pool).getAllByTestId('pool-row');
    expect(rows.map((r) => r.dataset.runId)).toEqual(['run-2', 'run-1']);
    expect(rows[0].textContent).toContain('claude exited with code 3');
    expect(within(rows[1]).getByTestId('pool-tokens').textContent).toBe('1.5k / 20');
    expect(within(rows[1]).getByTestId('pool-cost').textContent).toBe('$0.2500');
    expect(rows[1].textContent).toContain('2.0 KiB');
    expect(rows[1].textContent).toContain('/work/a');

    await fireEvent.click(within(rows[0]).getByTestId('pool-close'));
    await waitFor(() => expect(api.mocks.closeSession).toHaveBeenCalledWith('run-2'));
    await waitFor(() => expect(within(byTestId('pool-view')).getAllByTestId('pool-row')).toHaveLength(1));

    await fireEvent.click(within(byTestId('pool-view')).getByTestId('pool-open'));
    await waitFor(() => expect(screen.queryByTestId('pool-view')).toBeNull());
    expect(byTestId('run-view').dataset.runId).toBe('run-1');
  });
});

describe('App: a full pool', () => {
  it('starting past the limit names it and “Close idle session and start” makes room', async () => {
    const idle = sessionInfo({ runId: 'idle', cwd: '/work/idle', state: 'ready', idleMs: 300_000 });
    const api = fakeApi({ pool: () => ({ sessions: [idle], byState: { ready: 1 }, live: 1, maxSessions: 1, totalCreated: 1 }) });
    api.mocks.attachSession.mockResolvedValue(idle);
    api.mocks.startSession.mockRejectedValueOnce({ kind: 'pool_full', message: '1 sessions are already running, the most ccdesk allows at once' });
    await openApp(api);
    await fireEvent.click(byTestId('new-session-button'));
    await fireEvent.input(byTestId('new-session-prompt'), { target: { value: 'one more' } });
    await fireEvent.click(byTestId('new-session-start'));
    const notice = await waitFor(() => byTestId('capacity-notice'));
    expect(notice.textContent).toContain('1 session is already live, the most ccdesk runs at once.');
    await fireEvent.click(byTestId('capacity-close-idle'));
    await waitFor(() => expect(api.mocks.startSession).toHaveBeenCalledTimes(2));
    expect(api.mocks.closeSession).toHaveBeenCalledWith('idle');
    await waitFor(() => expect(screen.queryByTestId('capacity-notice')).toBeNull());
    expect(byTestId('run-view').dataset.runId).toBe('run-1');
  });
});

describe('App: the live run is the focus', () => {
  const newId = '8f03be0a-3403-4269-842c-c018168b05ae';

  it('a new session’s run replaces the open transcript, and keeps its view when its session opens', async () => {
    let listed = false;
    const api = fakeApi({
      index: () => {
        const idx = index();
        if (listed) idx.projects[0].sessions.unshift(summary({ id: newId, title: 'Say hello' }));
        return idx;
      },
    });
    await openApp(api);
    await openSession(summary().id);
    await fireEvent.click(byTestId('new-session-button'));
    await fireEvent.input(byTestId('new-session-prompt'), { target: { value: 'Say hello' } });
    await fireEvent.click(byTestId('new-session-start'));
    await waitFor(() => expect(api.mocks.startSession).toHaveBeenCalled());
    await waitFor(() => expect(screen.queryByTestId('transcript')).toBeNull());
    const main = document.querySelector('main')!;
    expect(main.firstElementChild?.contains(byTestId('run-view'))).toBe(true);
    expect(screen.queryByTestId('resume-prompt')).toBeNull();

    const events = sampleEvents('local-cli-2.1.330/stream/tool_use_partial_messages.stream.jsonl');
    emitAll(api, events.slice(0, 5));
    const followup = byTestId('followup-prompt') as HTMLTextAreaElement;
    await fireEvent.input(followup, { target: { value: 'typed while it streams' } });
    listed = true;
    emitAll(api, events.slice(5));
    await waitFor(() => expect(byTestId('transcript')).toBeTruthy());
    // the session opened above the same run view: nothing typed is lost
    expect(byTestId('followup-prompt')).toBe(followup);
    expect(followup.value).toBe('typed while it streams');
    // (the run view sits in its slot, the same element before and after)
    const order = [...main.children].map((el) => (el.querySelector('[data-testid="run-view"]') ? 'run-view' : ((el as HTMLElement).dataset.testid ?? el.className)));
    expect(order.indexOf('transcript')).toBeLessThan(order.indexOf('run-view'));
  });

  it('a run shows above an unrelated transcript the user opens', async () => {
    const api = await openApp();
    await openSession(summary().id);
    await fireEvent.input(byTestId('resume-prompt'), { target: { value: 'go' } });
    await fireEvent.click(byTestId('resume-button'));
    await waitFor(() => expect(api.mocks.startSession).toHaveBeenCalled());
    const main = document.querySelector('main')!;
    expect(main.firstElementChild?.contains(byTestId('run-view'))).toBe(false);
    await openSession('22222222-2222-4333-8444-555555555555');
    expect(main.firstElementChild?.contains(byTestId('run-view'))).toBe(true);
    // once idle, it no longer sits over the unrelated transcript, only under its own
    emitAll(api, [{ event: 'state', info: sessionInfo({ state: 'ready' }) }]);
    expect(screen.queryByTestId('run-view')).toBeNull();
    await openSession(summary().id);
    expect(byTestId('run-status').textContent).toBe('ready');
  });

  it('folds a resumed run into one line once the reloaded transcript shows its turn', async () => {
    let written = false;
    const api = fakeApi({
      detail: (id) => {
        const s = index().projects.flatMap((p) => p.sessions).find((x) => x.id === id)!;
        const more = written && id === summary().id
          ? [message('user', 'Run echo'), message('assistant', [{ type: 'text', text: 'Tool said: hello-from-bash' }])]
          : [];
        return detail({ list: [...entries(), ...more] }, s);
      },
    });
    await openApp(api);
    await openSession(summary().id);
    await fireEvent.input(byTestId('resume-prompt'), { target: { value: 'Run echo' } });
    await fireEvent.click(byTestId('resume-button'));
    await waitFor(() => expect(api.mocks.startSession).toHaveBeenCalled());
    const events = sampleEvents('local-cli-2.1.330/stream/tool_use_partial_messages.stream.jsonl').map((ev) =>
      ev.event === 'cli' && ev.line.type === 'system' ? { ...ev, line: { ...ev.line, session_id: summary().id } } : ev,
    );
    written = true;
    emitAll(api, events);
    await waitFor(() => expect(screen.getByTestId('run-summary')).toBeTruthy());
    expect(byTestId('run-summary').textContent).toMatch(/^Turn finished/);
    expect(byTestId('run-output').hidden).toBe(true);
    expect(byTestId('run-output').textContent).toContain('Tool said: hello-from-bash');
    // the reply shows once on screen: in the transcript
    expect(within(byTestId('transcript')).getAllByText(/Tool said: hello-from-bash/)).toHaveLength(1);
    expect(byTestId('followup-prompt')).toBeTruthy();
  });
});

describe('App: names, pins, run history, notices', () => {
  const SECOND = '22222222-2222-4333-8444-555555555555';
  const itemOf = (id: string) => screen.getAllByTestId('session-item').find((el) => el.dataset.sessionId === id)!;
  const actionOf = (testid: string, id: string) => screen.getAllByTestId(testid).find((el) => el.dataset.sessionId === id)!;

  it('says in a notice, and on the row, which sessions the CLI deletes within a week', async () => {
    const idx = index();
    idx.retention = { periodDays: 10, source: '/home/dev/.claude/settings.json' };
    idx.projects[0].sessions[1] = summary({ id: '22222222-2222-4333-8444-555555555555', title: 'Second', expiresAt: Date.now() + 2 * 86_400_000 });
    render(App, { api: fakeApi({ index: () => idx }) });
    const notice = await waitFor(() => byTestId('notice'));
    expect(notice.textContent).toMatch(/^1 session is deleted by the CLI's clean-up within 7 days \(cleanupPeriodDays 10 in \/home\/dev\/\.claude\/settings\.json\)/);
    const badge = await waitFor(() => byTestId('expiry-badge'));
    expect(badge.textContent).toMatch(/^deleted by the CLI in [23] days$/);
  });

  it('asks once whether to keep copies of the transcripts, and saves the answer', async () => {
    const { defaultSettings } = await import('./lib/__fixtures__/data');
    const api = fakeApi({ settings: { ...defaultSettings(), vault: { enabled: null, maxMb: 4096 } } });
    render(App, { api });
    const question = await waitFor(() => byTestId('vault-question'));
    expect(question.textContent).toContain('deletes every transcript 30 days after its last write');
    await fireEvent.click(byTestId('vault-question-yes'));
    await waitFor(() => expect(screen.queryByTestId('vault-question')).toBeNull());
    expect(api.mocks.saveSettings.mock.calls[0][0].vault).toEqual({ enabled: true, maxMb: 4096 });
  });

  it('badges a session the CLI deleted as archived, and restores it from the vault', async () => {
    const idx = index();
    const archived = summary({
      id: '22222222-2222-4333-8444-555555555555',
      title: 'Second',
      archived: true,
      resumability: { state: 'notResumable', reason: 'archived', message: 'the CLI deleted its transcript; restore it to resume' },
    });
    idx.projects[0].sessions[1] = archived;
    const api = fakeApi({ index: () => idx });
    render(App, { api });
    const badge = await waitFor(() => byTestId('archived-badge'));
    expect(badge.closest('[data-session-id]')?.getAttribute('data-session-id')).toBe(archived.id);
    const item = screen.getAllByTestId('session-item').find((el) => el.dataset.sessionId === archived.id)!;
    await fireEvent.click(item);
    await waitFor(() => expect(byTestId('restore-session')).toBeTruthy());
    expect(byTestId('resume-disabled-reason').textContent).toContain('restore it to resume');
    // The backend writes the copy back: the next listing has the transcript again.
    idx.projects[0].sessions[1] = summary({ id: archived.id, title: 'Second' });
    await fireEvent.click(byTestId('restore-session'));
    await waitFor(() => expect(api.mocks.restoreSession).toHaveBeenCalledWith(archived.key));
    await waitFor(() => expect(screen.queryByTestId('restore-session')).toBeNull());
    expect(screen.queryByTestId('archived-badge')).toBeNull();
  });

  it('exports the open session through a save dialog, as Markdown or HTML', async () => {
    const api = fakeApi();
    render(App, { api });
    const item = await waitFor(() => screen.getAllByTestId('session-item')[0]);
    await fireEvent.click(item);
    await fireEvent.click(await waitFor(() => byTestId('export-html')));
    await waitFor(() => expect(api.mocks.exportSession).toHaveBeenCalledTimes(1));
    const [key, format, name] = api.mocks.exportSession.mock.calls[0];
    expect(key).toBe(item.dataset.sessionKey);
    expect(format).toBe('html');
    expect(name).toMatch(/\.html$/);
    await waitFor(() => expect(byTestId('notice').textContent).toMatch(/^Exported “.*” to \/picked\//));
    await fireEvent.click(byTestId('export-markdown'));
    await waitFor(() => expect(api.mocks.exportSession.mock.calls[1][1]).toBe('markdown'));
    expect(api.mocks.exportSession.mock.calls[1][2]).toMatch(/\.md$/);
  });

  it('tells the backend’s notices once, in a banner that can be dismissed', async () => {
    const api = fakeApi();
    api.mocks.appInfo.mockResolvedValue({
      configDir: '/home/dev/.claude',
      claude: { path: '/usr/local/bin/claude', error: null },
      version: '0.1.0',
      maxSessions: 8,
      profiles: [],
      notices: ['the session registry could not be read; starting a new one'],
    });
    await openApp(api);
    const banner = await waitFor(() => byTestId('notice-banner'));
    expect(banner.textContent).toContain('the session registry could not be read; starting a new one');
    expect(screen.queryByTestId('error-banner')).toBeNull();
    await fireEvent.click(byTestId('notice-dismiss'));
    expect(screen.queryByTestId('notice-banner')).toBeNull();
  });

  it('renames a session in the list: the name shows in the list and the header, the title under it', async () => {
    const api = await openApp();
    await openSession(summary().id);
    await fireEvent.click(actionOf('session-rename', summary().id));
    const input = byTestId('session-rename-input') as HTMLInputElement;
    expect(input.value).toBe('Say hello');
    await fireEvent.input(input, { target: { value: 'Greeting experiments' } });
    await fireEvent.submit(input.form!);
    await waitFor(() => expect(api.mocks.renameSession).toHaveBeenCalledWith(summary().id, 'Greeting experiments'));
    await waitFor(() => expect(within(itemOf(summary().id)).getByTestId('session-title').textContent).toBe('Greeting experiments'));
    expect(within(itemOf(summary().id)).getByTestId('session-subtitle').textContent).toBe('Say hello');
    expect(byTestId('session-heading').textContent).toBe('Greeting experiments');
    expect(byTestId('session-heading-title').textContent).toBe('Say hello');
    // ... and in the live session's header once it runs
    await fireEvent.input(byTestId('resume-prompt'), { target: { value: 'go' } });
    await fireEvent.click(byTestId('resume-button'));
    await waitFor(() => expect(byTestId('run-name').textContent).toBe('Greeting experiments'));
  });

  it('a pinned session comes first in its project', async () => {
    const api = await openApp();
    const order = () => screen.getAllByTestId('session-item').map((el) => el.dataset.sessionId);
    expect(order()).toEqual([summary().id, SECOND]);
    await fireEvent.click(actionOf('session-pin', SECOND));
    await waitFor(() => expect(order()).toEqual([SECOND, summary().id]));
    expect(api.mocks.pinSession).toHaveBeenCalledWith(SECOND, true);
    expect(itemOf(SECOND).dataset.pinned).toBe('true');
    await fireEvent.click(actionOf('session-pin', SECOND));
    await waitFor(() => expect(order()).toEqual([summary().id, SECOND]));
  });

  it('Esc in the rename field cancels the rename and does not interrupt the running turn', async () => {
    const api = await openApp();
    await fireEvent.click(byTestId('new-session-button'));
    await fireEvent.input(byTestId('new-session-prompt'), { target: { value: 'FAKE_HANG_MIDTURN' } });
    await fireEvent.click(byTestId('new-session-start'));
    await waitFor(() => expect(api.mocks.startSession).toHaveBeenCalled());
    emitAll(api, [{ event: 'state', info: sessionInfo({ state: 'streaming' }) }]);
    expect(byTestId('interrupt-run')).toBeTruthy();
    await fireEvent.click(actionOf('session-rename', SECOND));
    await fireEvent.keyDown(byTestId('session-rename-input'), { key: 'Escape' });
    expect(screen.queryByTestId('session-rename-input')).toBeNull();
    expect(api.mocks.interruptSession).not.toHaveBeenCalled();
    expect(api.mocks.renameSession).not.toHaveBeenCalled();
    // the shortcut itself still works elsewhere
    await fireEvent.keyDown(window, { key: 'Escape' });
    expect(api.mocks.interruptSession).toHaveBeenCalledWith('run-1');
  });

  it('shows the session’s runs from the registry, and the new one when registry://changed says so', async () => {
    const api = await openApp();
    await openSession(summary().id);
    expect(screen.queryByTestId('run-history')).toBeNull();
    // a pool event says a run of this session is ready; the backend recorded it and sent the registry
    api.registryState.sessions[summary().id] = {
      name: null,
      pinned: false,
      cwd: '/home/dev/proj',
      lastState: 'ready',
      lastRunAtMs: Date.now(),
      history: [{ runId: 'run-7', startedAtMs: Date.now() - 5_000, updatedAtMs: Date.now(), state: 'ready', turns: 2, costUsd: 0.0042 }],
    };
    api.emitPool(sessionInfo({ runId: 'run-7', sessionId: summary().id, state: 'ready', turns: 2 }));
    api.emitRegistryChanged();
    const item = await waitFor(() => byTestId('run-history-item'));
    expect(item.dataset.runId).toBe('run-7');
    expect(within(item).getByTestId('run-history-state').textContent).toBe('ready');
    expect(within(item).getByTestId('run-history-turns').textContent).toBe('2 turns');
    expect(within(item).getByTestId('run-history-cost').textContent).toBe('$0.0042');
    expect(within(item).getByTestId('run-history-when').textContent).toBe('just now');
  });
});
