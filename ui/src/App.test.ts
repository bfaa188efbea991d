import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { describe, expect, it } from 'vitest';
import App from './App.svelte';
import { detail, index, message, summary } from './lib/__fixtures__/data';
import { fakeApi, type FakeApi } from './lib/__fixtures__/fakeApi';
import { sampleEvents } from './lib/__fixtures__/load';
import type { RunEvent } from './lib/types';

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

function emitAll(api: FakeApi, events: RunEvent[]) {
  for (const ev of events) api.emit(ev);
  flushSync();
}

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
    api.mocks.appInfo.mockResolvedValue({ configDir: '/c', claude: { path: null, error: 'claude not found on PATH' }, version: '0.1.0' });
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
    api.mocks.listSessions.mockRejectedValue({ kind: 'io', message: 'Cannot read /home/dev/.claude/projects: permission denied' });
    render(App, { api });
    await waitFor(() => expect(byTestId('error-banner').textContent).toContain('permission denied'));
  });

  it('refreshes on demand', async () => {
    const api = await openApp();
    await fireEvent.click(byTestId('refresh-button'));
    await waitFor(() => expect(api.mocks.listSessions).toHaveBeenCalledTimes(2));
  });
});

describe('App: runs', () => {
  it('resumes a session and streams the reply, then takes follow-ups and stops', async () => {
    const api = await openApp();
    await openSession(summary().id);
    await fireEvent.input(byTestId('resume-prompt'), { target: { value: 'Run echo' } });
    await fireEvent.click(byTestId('resume-button'));
    await waitFor(() => expect(api.mocks.startRun).toHaveBeenCalled());
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
    expect(byTestId('run-status').textContent).toBe('idle');
    const out = byTestId('run-output').textContent ?? '';
    expect(out.split('Tool said: hello-from-bash').length - 1).toBe(1);
    await waitFor(() => expect(api.mocks.listSessions).toHaveBeenCalledTimes(2));

    // the follow-up box replaces the resume box while the process lives
    expect(screen.queryByTestId('resume-prompt')).toBeNull();
    await fireEvent.input(byTestId('followup-prompt'), { target: { value: 'And again' } });
    await fireEvent.click(byTestId('followup-send'));
    await waitFor(() => expect(api.mocks.sendPrompt).toHaveBeenCalledWith('run-1', 'And again'));
    expect(byTestId('run-status').textContent).toBe('streaming');

    await fireEvent.click(byTestId('stop-run'));
    expect(api.mocks.stopRun).toHaveBeenCalledWith('run-1');
    emitAll(api, [{ event: 'exited', code: null, stderrTail: '', errors: [], sessionId: summary().id }]);
    expect(byTestId('run-status').textContent).toBe('exited');
    expect(screen.queryByTestId('followup-prompt')).toBeNull();
    expect(screen.queryByTestId('stop-run')).toBeNull();
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
    await waitFor(() => expect(api.mocks.startRun).toHaveBeenCalled());
    expect(api.lastRequest()).toEqual({ cwd: '/picked/folder', prompt: 'Say hello', model: 'claude-opus-5-5', permissionMode: null });
    expect(screen.queryByTestId('new-session-prompt')).toBeNull();

    listed = true;
    emitAll(api, sampleEvents('local-cli-2.1.330/stream/tool_use_partial_messages.stream.jsonl'));
    await waitFor(() => {
      const selected = screen.getAllByTestId('session-item').find((el) => el.getAttribute('aria-current') === 'true');
      expect(selected?.dataset.sessionId).toBe(newId);
    });
    await waitFor(() => expect(api.mocks.showSession).toHaveBeenCalledWith(newId));
  });

  it('reports a missing CLI in words and ends the run', async () => {
    const api = fakeApi();
    api.mocks.startRun.mockRejectedValue({ kind: 'claude_not_found', message: 'The claude CLI was not found.' });
    await openApp(api);
    await fireEvent.click(byTestId('new-session-button'));
    await fireEvent.input(byTestId('new-session-prompt'), { target: { value: 'hi' } });
    await fireEvent.click(byTestId('new-session-start'));
    await waitFor(() => expect(byTestId('run-status').textContent).toBe('exited'));
    const banner = within(byTestId('run-view')).getByTestId('error-banner');
    expect(banner.textContent).toContain('The claude CLI was not found.');
  });

  it('shows result errors, exit code and stderr of a failed resume', async () => {
    const api = await openApp();
    await openSession(summary().id);
    await fireEvent.input(byTestId('resume-prompt'), { target: { value: 'go' } });
    await fireEvent.click(byTestId('resume-button'));
    await waitFor(() => expect(api.mocks.startRun).toHaveBeenCalled());
    emitAll(api, sampleEvents('local-cli-2.1.330/stream/resume_unknown_session.stream.jsonl'));
    emitAll(api, [{ event: 'exited', code: 1, stderrTail: 'fatal: something', errors: [], sessionId: null }]);
    const view = byTestId('run-view');
    expect(within(view).getByTestId('error-banner').textContent).toContain('No conversation found with session ID');
    expect(view.textContent).toContain('exit code 1');
    expect(within(view).getByTestId('run-stderr').textContent).toContain('fatal: something');
    await fireEvent.click(within(view).getByText('Close'));
    expect(screen.queryByTestId('run-view')).toBeNull();
  });

  it('will not start a second run while one is busy', async () => {
    const api = await openApp();
    await openSession(summary().id);
    await fireEvent.input(byTestId('resume-prompt'), { target: { value: 'go' } });
    await fireEvent.click(byTestId('resume-button'));
    await waitFor(() => expect(api.mocks.startRun).toHaveBeenCalledTimes(1));
    await openSession('22222222-2222-4333-8444-555555555555');
    expect((byTestId('resume-prompt') as HTMLTextAreaElement).disabled).toBe(true);
    expect(screen.getByText(/A run is in progress/)).toBeTruthy();
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
    await waitFor(() => expect(api.mocks.startRun).toHaveBeenCalled());
    await waitFor(() => expect(screen.queryByTestId('transcript')).toBeNull());
    const main = document.querySelector('main')!;
    expect(main.firstElementChild).toBe(byTestId('run-view'));
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
    const order = [...main.children].map((el) => (el as HTMLElement).dataset.testid ?? el.className);
    expect(order.indexOf('transcript')).toBeLessThan(order.indexOf('run-view'));
  });

  it('a run shows above an unrelated transcript the user opens', async () => {
    const api = await openApp();
    await openSession(summary().id);
    await fireEvent.input(byTestId('resume-prompt'), { target: { value: 'go' } });
    await fireEvent.click(byTestId('resume-button'));
    await waitFor(() => expect(api.mocks.startRun).toHaveBeenCalled());
    const main = document.querySelector('main')!;
    expect(main.firstElementChild).not.toBe(byTestId('run-view'));
    await openSession('22222222-2222-4333-8444-555555555555');
    expect(main.firstElementChild).toBe(byTestId('run-view'));
    // once ended, it no longer sits over the unrelated transcript, only under its own
    emitAll(api, [{ event: 'exited', code: 0, stderrTail: '', errors: [], sessionId: null }]);
    expect(screen.queryByTestId('run-view')).toBeNull();
    await openSession(summary().id);
    expect(byTestId('run-status').textContent).toBe('exited');
  });

  it('folds a resumed run into one line once the reloaded transcript shows its turn', async () => {
    let written = false;
    const api = fakeApi({
      detail: (id) => {
        const d = detail({}, index().projects.flatMap((p) => p.sessions).find((x) => x.id === id)!);
        if (written && id === summary().id) {
          d.transcript.entries.push(message('user', 'Run echo'), message('assistant', [{ type: 'text', text: 'Tool said: hello-from-bash' }]));
        }
        return d;
      },
    });
    await openApp(api);
    await openSession(summary().id);
    await fireEvent.input(byTestId('resume-prompt'), { target: { value: 'Run echo' } });
    await fireEvent.click(byTestId('resume-button'));
    await waitFor(() => expect(api.mocks.startRun).toHaveBeenCalled());
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
