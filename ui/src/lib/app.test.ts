import { describe, expect, it, vi } from 'vitest';
import { detail, entries, index, message, missingDir, NOW, projectIndex, projectKey, sessionInfo, summary } from './__fixtures__/data';
import { fakeApi } from './__fixtures__/fakeApi';
import { AppModel } from './app.svelte';
import { RETIRED_MESSAGE } from './run.svelte';
import type { SessionIndex, SessionSummary } from './types';

const settle = () => new Promise((r) => setTimeout(r, 0));


/** An initialised model whose next `registry()` answer is held back: `answer(value)` gives it;
 * `slow` is that load; `before` the fake backend's registry when it was asked. */
async function slowRegistryAnswer() {
  const api = fakeApi();
  const app = new AppModel(api);
  await app.init();
  let answer: (r: unknown) => void = () => {};
  api.mocks.registry.mockImplementationOnce(() => new Promise((r) => (answer = r as (r: unknown) => void)));
  const slow = app.loadRegistry();
  const before = structuredClone(api.registryState);
  return { api, app, answer: (r: unknown) => answer(r), slow, before };
}

describe('AppModel', () => {
  it('loads info and index and opens the newest project', async () => {
    const app = new AppModel(fakeApi());
    await app.init();
    expect(app.info?.version).toBe('0.1.0');
    expect(app.selectedProject).toBe('cwd:/home/dev/proj');
    expect(app.currentProject?.sessionCount).toBe(2);
    expect(app.currentSessions).toHaveLength(2);
    expect(app.currentSession).toBeNull();
  });

  it('keeps the selection across refreshes and reloads the open transcript', async () => {
    const api = fakeApi();
    const app = new AppModel(api);
    await app.init();
    await app.selectSession(summary().id);
    await app.refresh();
    expect(app.selectedSessionId).toBe(summary().id);
    expect(api.mocks.showSession).toHaveBeenCalledTimes(2);
  });

  it('selecting a session selects its project', async () => {
    const app = new AppModel(fakeApi());
    await app.init();
    await app.selectSession('33333333-2222-4333-8444-555555555555');
    expect(app.selectedProject).toBe('dir:-mystery');
    expect(app.detail?.summary.id).toBe('33333333-2222-4333-8444-555555555555');
  });

  it('resume is refused for a session that cannot resume', async () => {
    const api = fakeApi();
    const app = new AppModel(api);
    await app.init();
    await app.selectSession('11111111-2222-4333-8444-555555555555');
    await app.resume('hello');
    expect(api.mocks.startSession).not.toHaveBeenCalled();
  });

  it('runs several sessions at once: a new start leaves the others running', async () => {
    const api = fakeApi();
    const app = new AppModel(api);
    await app.init();
    await app.startNew({ cwd: '/a', prompt: 'one' });
    api.emit({ event: 'state', info: sessionInfo({ runId: 'run-1', state: 'streaming' }) }, 'run-1');
    await app.startNew({ cwd: '/b', prompt: 'two' });
    expect(api.mocks.closeSession).not.toHaveBeenCalled();
    expect(app.runs.map((r) => r.runId)).toEqual(['run-1', 'run-2']);
    expect(app.run?.runId).toBe('run-2');
    // each run folds only its own channel's events
    api.emit({ event: 'cli', line: { type: 'assistant', message: { id: 'm1', content: [{ type: 'text', text: 'for one' }] } } }, 'run-1');
    api.emit({ event: 'state', info: sessionInfo({ runId: 'run-2', state: 'waitingForPermission' }) }, 'run-2');
    const [one, two] = app.runs;
    expect(one.state.status).toBe('streaming');
    expect(two.state.status).toBe('waitingForPermission');
    expect(one.state.items.map((i) => i.kind)).toEqual(['prompt', 'assistant']);
    expect(two.state.items.map((i) => i.kind)).toEqual(['prompt']);
  });

  it('does not follow a run the user navigated away from', async () => {
    const newId = 'ffffffff-2222-4333-8444-555555555555';
    let listed = false;
    const api = fakeApi({
      index: () => {
        const idx = index();
        if (listed) idx.projects[0].sessions.unshift(summary({ id: newId }));
        return idx;
      },
    });
    const app = new AppModel(api);
    await app.init();
    await app.startNew({ cwd: '/home/dev/proj', prompt: 'p' });
    api.emit({ event: 'cli', line: { type: 'system', subtype: 'init', session_id: newId } });
    await app.selectSession('22222222-2222-4333-8444-555555555555');
    listed = true;
    api.emit({ event: 'cli', line: { type: 'result', subtype: 'success' } });
    await settle();
    expect(app.selectedSessionId).toBe('22222222-2222-4333-8444-555555555555');
  });

  it('closes a session: close_session, then its view and pool entry go', async () => {
    const api = fakeApi();
    const app = new AppModel(api);
    await app.init();
    await app.startNew({ cwd: '/a', prompt: 'x' });
    api.emitPool(sessionInfo({ runId: 'run-1', state: 'ready' }));
    expect(app.live.map((e) => e.runId)).toEqual(['run-1']);
    await app.closeRun(app.run!);
    expect(api.mocks.closeSession).toHaveBeenCalledWith('run-1');
    expect(app.runs).toEqual([]);
    expect(app.run).toBeNull();
    // the close's own state event does not bring it back
    api.emitPool(sessionInfo({ runId: 'run-1', state: 'closed' }));
    expect(app.live).toEqual([]);
  });

  it('a follow-up to a session the pool no longer has says so and takes no more prompts', async () => {
    const api = fakeApi();
    api.mocks.sendPrompt.mockRejectedValue({ kind: 'unknown_run', message: 'no live session run-1' });
    const app = new AppModel(api);
    await app.init();
    await app.startNew({ cwd: '/a', prompt: 'x' });
    api.emit({ event: 'state', info: sessionInfo({ state: 'ready' }) });
    expect(await app.run!.send('more')).toBe(false);
    expect(app.run!.gone).toBe(true);
    expect(app.run!.open).toBe(false);
    expect(app.run!.state.errors).toEqual(['no live session run-1']);
    expect(await app.run!.send('again')).toBe(false);
    expect(api.mocks.sendPrompt).toHaveBeenCalledTimes(1);
  });

  it('sessions that left the pool (their retired report): the one in view says so and takes no prompt; the others leave the live list', async () => {
    const api = fakeApi();
    const app = new AppModel(api);
    await app.init();
    await app.startNew({ cwd: '/a', prompt: 'one' });
    await app.startNew({ cwd: '/b', prompt: 'two' });
    expect(app.run?.runId).toBe('run-2');
    for (const runId of ['run-1', 'run-2']) api.emitPool(sessionInfo({ runId, state: 'expired' }));
    expect(app.live.map((e) => e.runId).sort()).toEqual(['run-1', 'run-2']);
    for (const runId of ['run-1', 'run-2']) {
      const last = sessionInfo({ runId, state: 'expired', retired: true });
      api.emit({ event: 'state', info: last }, runId);
      api.emitPool(last);
    }
    expect(app.run!.gone).toBe(true);
    expect(app.run!.open).toBe(false);
    expect(app.run!.state.errors).toEqual([RETIRED_MESSAGE]);
    expect(await app.run!.send('more')).toBe(false);
    expect(api.mocks.sendPrompt).not.toHaveBeenCalled();
    expect(app.runs.map((r) => r.runId)).toEqual(['run-2']);
    expect(app.live.map((e) => [e.runId, e.run?.gone])).toEqual([['run-2', true]]);
  });
});

describe('AppModel and the pool', () => {
  it('pool://session events keep the live list current, totals from the snapshot', async () => {
    const api = fakeApi({ pool: () => ({ sessions: [], byState: {}, live: 0, maxSessions: 3, totalCreated: 5 }) });
    const app = new AppModel(api);
    await app.init();
    expect(app.pool.totals).toEqual({ live: 0, byState: {}, maxSessions: 3, totalCreated: 5 });
    api.emitPool(sessionInfo({ runId: 'a', state: 'streaming', createdAtMs: 1 }));
    api.emitPool(sessionInfo({ runId: 'b', state: 'waitingForPermission', createdAtMs: 2 }));
    api.emitPool(sessionInfo({ runId: 'a', state: 'ready', createdAtMs: 1 }));
    expect(app.live.map((e) => [e.runId, e.state])).toEqual([['b', 'waitingForPermission'], ['a', 'ready']]);
    expect(app.pool.totals.live).toBe(2);
    expect(app.pool.totals.byState).toEqual({ waitingForPermission: 1, ready: 1 });
    expect(app.waitingCount).toBe(1);
  });

  it('attaches to sessions the backend runs that this window does not follow (after a reload)', async () => {
    const running = sessionInfo({ runId: 'old', sessionId: summary().id, state: 'ready', turns: 2 });
    const api = fakeApi({ pool: () => ({ sessions: [running], byState: { ready: 1 }, live: 1, maxSessions: 8, totalCreated: 1 }) });
    const app = new AppModel(api);
    await app.init();
    expect(api.mocks.attachSession).toHaveBeenCalledWith('old', expect.any(Function));
    expect(app.runs.map((r) => r.runId)).toEqual(['old']);
    expect(app.runs[0].state.info?.turns).toBe(2);
    // its events reach it; opening it selects its listed session
    api.emit({ event: 'state', info: { ...running, state: 'streaming' } }, 'old');
    expect(app.runs[0].state.status).toBe('streaming');
    await app.openRun(app.live[0].key);
    expect(app.selectedSessionId).toBe(summary().id);
    expect(app.run?.runId).toBe('old');
  });

  it('pool_full: closes the ready session idle the longest, then starts', async () => {
    const busy = sessionInfo({ runId: 'busy', state: 'streaming', idleMs: 900_000 });
    const idleLong = sessionInfo({ runId: 'idle-long', state: 'ready', idleMs: 600_000 });
    const idleShort = sessionInfo({ runId: 'idle-short', state: 'ready', idleMs: 5_000 });
    const api = fakeApi({ pool: () => ({ sessions: [busy, idleShort, idleLong], byState: {}, live: 3, maxSessions: 3, totalCreated: 3 }) });
    api.mocks.attachSession.mockResolvedValue(busy);
    const app = new AppModel(api);
    await app.init();
    api.mocks.startSession.mockRejectedValueOnce({ kind: 'pool_full', message: '3 sessions are already running, the most ccdesk allows at once' });
    await app.startNew({ cwd: '/a', prompt: 'hello' });
    const run = app.run!;
    expect(run.capacity).toEqual({ action: 'start', message: expect.stringContaining('3 sessions'), idleRunId: null });
    expect(run.state.status).toBe('failed');
    expect(run.runId).toBeNull();

    await app.closeIdleAndRetry(run);
    expect(api.mocks.closeSession).toHaveBeenCalledTimes(1);
    expect(api.mocks.closeSession).toHaveBeenCalledWith('idle-long');
    expect(api.mocks.startSession).toHaveBeenCalledTimes(2);
    expect(api.mocks.startSession.mock.calls[1][0]).toEqual({ cwd: '/a', prompt: 'hello', model: null, permissionMode: null });
    expect(run.runId).toBe('run-1');
    expect(run.capacity).toBeNull();
    expect(run.state.status).toBe('connecting');
    // the prompt is shown once, not once per attempt
    expect(run.state.items.filter((i) => i.kind === 'prompt')).toHaveLength(1);
  });

  it('pool_full naming an idle session: closes that one (the backend decided), then starts', async () => {
    const idleLong = sessionInfo({ runId: 'idle-long', state: 'ready', idleMs: 600_000 });
    const named = sessionInfo({ runId: 'named', state: 'ready', idleMs: 5_000 });
    const api = fakeApi({ pool: () => ({ sessions: [named, idleLong], byState: {}, live: 2, maxSessions: 2, totalCreated: 2 }) });
    api.mocks.attachSession.mockResolvedValue(named);
    const app = new AppModel(api);
    await app.init();
    api.mocks.startSession.mockRejectedValueOnce({ kind: 'pool_full', message: 'full', max: 2, idleRunId: 'named', idleHint: null });
    await app.startNew({ cwd: '/a', prompt: 'hello' });
    expect(app.run!.capacity?.idleRunId).toBe('named');
    await app.closeIdleAndRetry(app.run!);
    expect(api.mocks.closeSession).toHaveBeenCalledWith('named');
    expect(api.mocks.closeSession).toHaveBeenCalledTimes(1);
  });

  it('pool_full with no idle session: says so and closes nothing', async () => {
    const busy = sessionInfo({ runId: 'busy', state: 'streaming' });
    const api = fakeApi({ pool: () => ({ sessions: [busy], byState: {}, live: 1, maxSessions: 1, totalCreated: 1 }) });
    api.mocks.attachSession.mockResolvedValue(busy);
    const app = new AppModel(api);
    await app.init();
    api.mocks.startSession.mockRejectedValueOnce({ kind: 'pool_full', message: 'full' });
    await app.startNew({ cwd: '/a', prompt: 'hello' });
    await app.closeIdleAndRetry(app.run!);
    expect(api.mocks.closeSession).not.toHaveBeenCalled();
    expect(api.mocks.startSession).toHaveBeenCalledTimes(1);
    expect(app.run!.state.errors.join(' ')).toMatch(/No session is idle/);
  });

  it('Retry after a failed turn sends the last prompt again', async () => {
    const api = fakeApi();
    const app = new AppModel(api);
    await app.init();
    await app.startNew({ cwd: '/a', prompt: 'first' });
    await app.run!.send('second');
    api.emit({ event: 'state', info: sessionInfo({ state: 'failed', kind: 'crashed', message: 'claude exited with code 3' }) });
    await app.retry(app.run!);
    expect(api.mocks.sendPrompt).toHaveBeenLastCalledWith('run-1', 'second');
    expect(app.run!.state.status).toBe('connecting');
    expect(app.run!.state.failure).toBeNull();
  });

  it('Esc interrupts only a busy run in view', async () => {
    const api = fakeApi();
    const app = new AppModel(api);
    await app.init();
    await app.startNew({ cwd: '/a', prompt: 'x' });
    api.emit({ event: 'state', info: sessionInfo({ state: 'ready' }) });
    expect(await app.interruptActive()).toBe(false);
    api.emit({ event: 'state', info: sessionInfo({ state: 'streaming' }) });
    app.openPool();
    expect(await app.interruptActive()).toBe(false);
    app.view.leavePool();
    expect(await app.interruptActive()).toBe(true);
    expect(api.mocks.interruptSession).toHaveBeenCalledWith('run-1');
  });
});

describe('AppModel and sessions live elsewhere', () => {
  it('says when the open session is being written outside ccdesk, and stops saying it when that ends', async () => {
    const api = fakeApi();
    api.mocks.sessionActivity.mockResolvedValue({ pid: 4242, command: 'claude', lastWriteMs: Date.now() });
    const app = new AppModel(api);
    await app.init();
    await app.selectSession(summary().id);
    await vi.waitFor(() => expect(app.resumeBlocker).toContain('pid 4242'));
    expect(api.mocks.sessionActivity).toHaveBeenCalledWith(summary().key);
    api.mocks.sessionActivity.mockResolvedValue(null);
    app.indexChanged({ changed: [summary()], removed: [], projects: projectIndex().projects, sessionIds: [summary().id] } as never);
    await vi.waitFor(() => expect(app.resumeBlocker).toBeNull());
  });
});

describe('AppModel terminal hand-over', () => {
  it('opens the session in a terminal and copies its command, saying so; a refusal is reported', async () => {
    const api = fakeApi();
    const app = new AppModel(api);
    await app.init();
    await app.selectSession(summary().id);
    await app.openInTerminal();
    expect(api.mocks.openInTerminal).toHaveBeenCalledWith(summary().key);
    expect(app.notices.at(-1)).toContain('x-terminal-emulator');
    await app.copyResumeCommand();
    expect(api.mocks.copyText).toHaveBeenCalledWith(`cd '/home/dev/proj' && '/usr/local/bin/claude' --resume '${summary().id}'`);
    expect(app.notices.at(-1)).toContain('Copied');
    api.mocks.openInTerminal.mockRejectedValueOnce({ kind: 'not_resumable', message: 'it is live in this window; close it first' });
    await app.openInTerminal();
    expect(app.errors.join()).toContain('live in this window');
  });
});

describe('AppModel with several config dirs', () => {
  const WORK = '7b7b7b7b-2222-4333-8444-555555555555';
  const twoDirs = () => {
    const idx = index();
    idx.profiles = ['personal', 'work'];
    idx.projects[0].sessions.push(summary({ id: WORK, key: `@work/-home-dev-proj/${WORK}`, title: 'At work', profile: 'work', lastActivityMs: 1 }));
    return idx;
  };

  it('names the config dir of each session, narrows the lists to one, and resumes a session in its own', async () => {
    const api = fakeApi({ index: twoDirs });
    const app = new AppModel(api);
    await app.init();
    expect(app.profiles).toEqual(['personal', 'work']);
    const all = app.projects.length;
    expect(app.projectSessions.map((s) => app.profileOf(s))).toContain('work');
    app.profileFilter = 'work';
    expect(app.projects.length).toBe(1);
    expect(app.projects.length).toBeLessThan(all);
    expect(app.projectSessions.map((s) => s.id)).toEqual([WORK]);
    app.profileFilter = 'personal';
    expect(app.projectSessions.every((s) => app.profileOf(s) === 'personal')).toBe(true);
    app.profileFilter = null;
    await app.selectSession(`@work/-home-dev-proj/${WORK}`);
    await app.resume('go on');
    expect(api.lastRequest()).toEqual({ cwd: '/home/dev/proj', prompt: 'go on', resume: WORK, profile: 'work' });
  });

  it('one config dir: no names, no narrowing', async () => {
    const app = new AppModel(fakeApi());
    await app.init();
    expect(app.profiles).toEqual([]);
    expect(app.profileOf(summary())).toBeNull();
    app.profileFilter = 'work';
    expect(app.projects.length).toBeGreaterThan(1);
  });
});

describe('AppModel resume', () => {
  it('forks when asked: a new session, the list refreshed after its turn', async () => {
    const forkId = '9a9a9a9a-2222-4333-8444-555555555555';
    let listed = false;
    const api = fakeApi({
      index: () => {
        const idx = index();
        if (listed) idx.projects[0].sessions.unshift(summary({ id: forkId, title: 'Forked' }));
        return idx;
      },
    });
    const app = new AppModel(api);
    await app.init();
    await app.selectSession(summary().id);
    await app.resume(' again ', true);
    expect(api.lastRequest()).toEqual({ cwd: '/home/dev/proj', prompt: 'again', resume: summary().id, forkSession: true });
    const calls = api.mocks.listProjects.mock.calls.length;
    listed = true;
    api.emit({ event: 'cli', line: { type: 'system', subtype: 'init', session_id: forkId } });
    api.emit({ event: 'cli', line: { type: 'result', subtype: 'success' } });
    await settle();
    await settle();
    expect(api.mocks.listProjects.mock.calls.length).toBeGreaterThan(calls);
    expect(app.currentSessions.map((x) => x.id)).toContain(forkId);
    expect(app.selectedSessionId).toBe(forkId);
  });

  it('resuming a session that has a live run sends the prompt to that run', async () => {
    const api = fakeApi();
    const app = new AppModel(api);
    await app.init();
    await app.selectSession(summary().id);
    await app.resume('one');
    api.emit({ event: 'state', info: sessionInfo({ sessionId: summary().id, state: 'ready' }) });
    await app.resume('two');
    expect(api.mocks.startSession).toHaveBeenCalledTimes(1);
    expect(api.mocks.sendPrompt).toHaveBeenCalledWith('run-1', 'two');
    expect(app.runs).toHaveLength(1);
  });

  it('a start that the backend answers with a run already followed replaces that run', async () => {
    const api = fakeApi();
    const app = new AppModel(api);
    await app.init();
    await app.startNew({ cwd: '/a', prompt: 'one' });
    api.mocks.startSession.mockImplementationOnce(async () => ({ runId: 'run-1' }));
    await app.selectSession(summary().id);
    await app.resume('two');
    expect(app.runs).toHaveLength(1);
    expect(app.run?.request.prompt).toBe('two');
  });
});

describe('AppModel and the live run', () => {
  it('closes the open transcript when a new session starts, so the run has the pane to itself', async () => {
    const api = fakeApi();
    const app = new AppModel(api);
    await app.init();
    await app.selectSession(summary().id);
    expect(app.detail).not.toBeNull();
    await app.startNew({ cwd: '/home/dev/proj', prompt: 'hello' });
    expect(app.selectedSessionId).toBeNull();
    expect(app.detail).toBeNull();
    expect(app.currentSession).toBeNull();
    expect(app.selectedProject).toBe('cwd:/home/dev/proj');
  });

  it('keeps the open transcript when resuming it', async () => {
    const api = fakeApi();
    const app = new AppModel(api);
    await app.init();
    await app.selectSession(summary().id);
    await app.resume('more');
    expect(app.selectedSessionId).toBe(summary().id);
    expect(app.detail?.summary.id).toBe(summary().id);
  });

  it('counts the run’s turns the reloaded transcript of its session shows', async () => {
    // the file grows at its end only, as the CLI writes it
    const file = [...entries(), message('assistant', [{ type: 'text', text: 'ok' }])];
    const api = fakeApi({
      detail: (id) => {
        const s = index().projects.flatMap((p) => p.sessions).find((x) => x.id === id)!;
        return detail({ list: id === summary().id ? file : entries() }, s);
      },
    });
    const app = new AppModel(api);
    await app.init();
    await app.selectSession(summary().id);
    await app.resume('Run echo');
    expect(app.runTurnsShown).toBe(0);
    file.push(message('user', 'Run echo'), message('assistant', [{ type: 'text', text: 'ok' }]));
    api.emit({ event: 'cli', line: { type: 'system', subtype: 'init', session_id: summary().id } });
    api.emit({ event: 'cli', line: { type: 'result', subtype: 'success', total_cost_usd: 0.01 } });
    await settle();
    await settle();
    expect(app.runTurnsShown).toBe(1);

    // another session's transcript never counts
    await app.selectSession('22222222-2222-4333-8444-555555555555');
    expect(app.runTurnsShown).toBe(0);
  });
});

describe('AppModel and the registry', () => {
  const named = () => ({
    version: 1,
    sessions: {
      [summary().id]: { name: 'My fix', pinned: false, cwd: '/home/dev/proj', lastState: 'closed', lastRunAtMs: 5, history: [] },
    },
  });

  it('loads the registry with the list, and the notices of app_info once', async () => {
    const api = fakeApi({ registry: named() });
    api.mocks.appInfo.mockResolvedValue({
      configDir: '/c',
      claude: { path: '/bin/claude', error: null },
      version: '0.1.0',
      maxSessions: 8,
      profiles: [],
      notices: ['the session registry could not be read; starting a new one', ''],
    });
    const app = new AppModel(api);
    await app.init();
    expect(app.nameOf(summary().id)).toBe('My fix');
    expect(app.notices).toEqual(['the session registry could not be read; starting a new one']);
    app.dismissNotices();
    expect(app.notices).toEqual([]);
    await app.refresh();
    expect(api.mocks.registry).toHaveBeenCalledTimes(2);
  });

  it('renames: the name shows for the session and its live run; a blank name brings the title back', async () => {
    const api = fakeApi();
    const app = new AppModel(api);
    await app.init();
    expect(await app.renameSession(summary().id, '  Release notes  ')).toBe(true);
    expect(api.mocks.renameSession).toHaveBeenLastCalledWith(summary().id, 'Release notes');
    expect(app.nameOf(summary().id)).toBe('Release notes');
    expect(app.liveTitle(sessionInfo({ sessionId: summary().id }), null)).toBe('Release notes');
    // unchanged: nothing to send
    await app.renameSession(summary().id, 'Release notes ');
    expect(api.mocks.renameSession).toHaveBeenCalledTimes(1);
    await app.renameSession(summary().id, '   ');
    expect(api.mocks.renameSession).toHaveBeenLastCalledWith(summary().id, '');
    expect(app.nameOf(summary().id)).toBeNull();
    expect(app.liveTitle(sessionInfo({ sessionId: summary().id }), null)).toBe('Say hello');
  });

  it('pins and unpins', async () => {
    const api = fakeApi();
    const app = new AppModel(api);
    await app.init();
    await app.pinSession('22222222-2222-4333-8444-555555555555', true);
    expect(api.mocks.pinSession).toHaveBeenCalledWith('22222222-2222-4333-8444-555555555555', true);
    expect(app.registry?.sessions['22222222-2222-4333-8444-555555555555'].pinned).toBe(true);
    await app.pinSession('22222222-2222-4333-8444-555555555555', false);
    expect(app.registry?.sessions['22222222-2222-4333-8444-555555555555'].pinned).toBe(false);
  });

  it('a refused rename is reported and leaves the registry as it was', async () => {
    const api = fakeApi({ registry: named() });
    api.mocks.renameSession.mockRejectedValueOnce({ kind: 'store', message: 'cannot write registry.json: disk full' });
    const app = new AppModel(api);
    await app.init();
    expect(await app.renameSession(summary().id, 'Other')).toBe(false);
    expect(app.nameOf(summary().id)).toBe('My fix');
    expect(app.errors.join('\n')).toContain('disk full');
  });

  it('an older registry answer arriving late does not undo a rename', async () => {
    const { api, app, answer, slow, before } = await slowRegistryAnswer();
    await app.renameSession(summary().id, 'Newer');
    answer(before);
    await slow;
    expect(app.nameOf(summary().id)).toBe('Newer');
  });

  /** What the backend records of run r9 of the fixture session. */
  function record(api: ReturnType<typeof fakeApi>, state: string, turns: number) {
    api.registryState.sessions[summary().id] = {
      name: null,
      pinned: false,
      cwd: '/home/dev/proj',
      lastState: state,
      lastRunAtMs: 1,
      history: [{ runId: 'r9', startedAtMs: 1, updatedAtMs: 2, state, turns, costUsd: 0.01 }],
    };
  }

  it('a run settling, then registry://changed: the run history shows the run; pool events ask nothing', async () => {
    const api = fakeApi();
    const app = new AppModel(api);
    await app.init();
    const calls = () => api.mocks.registry.mock.calls.length;
    const start = calls();
    api.emitPool(sessionInfo({ runId: 'r9', sessionId: summary().id, state: 'streaming' }));
    api.emitPool(sessionInfo({ runId: 'r9', sessionId: summary().id, state: 'ready', turns: 1 }));
    await settle();
    expect(app.registry?.sessions[summary().id]).toBeUndefined();
    // the backend recorded the run and sent the registry it saved
    record(api, 'ready', 1);
    api.emitRegistryChanged();
    expect(app.registry?.sessions[summary().id]?.history[0]).toMatchObject({ runId: 'r9', state: 'ready', turns: 1 });
    record(api, 'closed', 1);
    api.emitPool(sessionInfo({ runId: 'r9', sessionId: summary().id, state: 'closed', turns: 1 }));
    api.emitRegistryChanged();
    expect(app.registry?.sessions[summary().id]?.history[0].state).toBe('closed');
    await settle();
    expect(calls()).toBe(start);
  });

  it('an older registry() answer arriving after a newer registry://changed does not overwrite it', async () => {
    const { api, app, answer, slow, before } = await slowRegistryAnswer();
    record(api, 'ready', 1);
    api.emitRegistryChanged();
    answer(before);
    await slow;
    expect(app.registry?.sessions[summary().id]?.history[0]).toMatchObject({ runId: 'r9', state: 'ready' });
    // an answer asked for after the event is newer, and taken
    record(api, 'closed', 2);
    await app.loadRegistry();
    expect(app.registry?.sessions[summary().id]?.history[0]).toMatchObject({ state: 'closed', turns: 2 });
  });

  it('a registry://changed payload goes through normalizeRegistry; none is taken after dispose', async () => {
    const api = fakeApi();
    const app = new AppModel(api);
    await app.init();
    api.emitRegistryChanged({ version: 1, sessions: { [summary().id]: { name: 'Named', pinned: 'yes', history: 'none' } } });
    expect(app.nameOf(summary().id)).toBe('Named');
    expect(app.registry?.sessions[summary().id]).toMatchObject({ pinned: false, history: [], lastRunAtMs: 0 });
    app.dispose();
    api.emitRegistryChanged({ version: 1, sessions: {} });
    expect(app.nameOf(summary().id)).toBe('Named');
  });
});

describe('AppModel: open requests (app://open and the launch intents)', () => {
  it('a folder opens the new-session sheet there and closes the other sheets; nothing starts', async () => {
    const api = fakeApi();
    const app = new AppModel(api);
    await app.init();
    app.openSettings();
    await app.handleOpen({ kind: 'folder', path: '/work/x y' });
    expect(app.overlay).toEqual({ kind: 'new', cwd: '/work/x y', overPool: false });
    app.openSwitcher();
    await app.handleOpen({ kind: 'folder', path: '/work/x y' });
    expect(app.overlay).toEqual({ kind: 'new', cwd: '/work/x y', overPool: false });
    expect(api.mocks.startSession).not.toHaveBeenCalled();
  });

  it('a folder given while the sheet is open goes into that sheet (its prompt stays)', async () => {
    const app = new AppModel(fakeApi());
    await app.init();
    app.openNewSheet();
    const sheet = app.overlay;
    await app.handleOpen({ kind: 'folder', path: '/w/other' });
    expect(app.overlay).toBe(sheet);
    expect(app.overlay).toEqual({ kind: 'new', cwd: '/w/other', overPool: false });
  });

  it('New session (Ctrl+N, the tray) keeps a sheet that is open already', async () => {
    const app = new AppModel(fakeApi());
    await app.init();
    await app.handleOpen({ kind: 'folder', path: '/w/dropped' });
    const sheet = app.overlay;
    await app.handleOpen({ kind: 'newSession' });
    expect(app.overlay).toBe(sheet);
    expect(app.overlay).toEqual({ kind: 'new', cwd: '/w/dropped', overPool: false });
  });

  it('queued intents are taken once, at start, in order', async () => {
    const api = fakeApi({ intents: [{ kind: 'error', message: 'bad folder' }, { kind: 'settings' }] });
    const app = new AppModel(api);
    await app.init();
    expect(api.mocks.takeLaunchIntents).toHaveBeenCalledTimes(1);
    expect(app.errors).toContain('bad folder');
    expect(app.overlay.kind).toBe('settings');
  });

  it('a live run the window follows is shown', async () => {
    const api = fakeApi();
    const app = new AppModel(api);
    await app.init();
    await app.startNew({ cwd: '/a', prompt: 'one' });
    await app.startNew({ cwd: '/b', prompt: 'two' });
    expect(app.run?.runId).toBe('run-2');
    await app.handleOpen({ kind: 'live', runId: 'run-1' });
    expect(app.run?.runId).toBe('run-1');
  });

  it('a live run the window has not heard of yet is looked up in the pool, attached and shown', async () => {
    let sessions: ReturnType<typeof sessionInfo>[] = [];
    const api = fakeApi({ pool: () => ({ sessions, byState: {}, live: sessions.length, maxSessions: 8, totalCreated: sessions.length }) });
    const app = new AppModel(api);
    await app.init();
    sessions = [sessionInfo({ runId: 'fresh', sessionId: summary().id, state: 'waitingForPermission' })];
    app.openSettings();
    await app.handleOpen({ kind: 'live', runId: 'fresh' });
    expect(api.mocks.attachSession).toHaveBeenCalledWith('fresh', expect.any(Function));
    expect(app.run?.runId).toBe('fresh');
    expect(app.selectedSessionId).toBe(summary().id);
    expect(app.overlay).toEqual({ kind: 'none' });
    expect(app.errors).toEqual([]);
  });

  it('a live run that is gone is said in the banner', async () => {
    const app = new AppModel(fakeApi());
    await app.init();
    await app.handleOpen({ kind: 'live', runId: 'gone' });
    expect(app.run).toBeNull();
    expect(app.errors.join(' ')).toContain('no longer live');
  });

  it('resume selects the session, wherever its project, and asks for the resume prompt’s focus', async () => {
    const app = new AppModel(fakeApi());
    await app.init();
    app.openSwitcher();
    const focus = app.focusResume;
    await app.handleOpen({ kind: 'resume', sessionId: '33333333-2222-4333-8444-555555555555' });
    expect(app.selectedProject).toBe('dir:-mystery');
    expect(app.selectedSessionId).toBe('33333333-2222-4333-8444-555555555555');
    expect(app.focusResume).toBe(focus + 1);
    expect(app.overlay).toEqual({ kind: 'none' });
  });
});

describe('AppModel: the overlay', () => {
  it('a sheet opened over the pool view closes back to it; opening a session leaves the pool', async () => {
    const app = new AppModel(fakeApi());
    await app.init();
    app.openPool();
    app.openSwitcher();
    expect(app.overlay).toEqual({ kind: 'switcher', overPool: true });
    app.closeSheet('switcher');
    expect(app.overlay).toEqual({ kind: 'pool' });
    app.openSettings();
    // a session selected while the sheet is open (a run's session found): the sheet stays
    await app.selectSession(summary().id);
    expect(app.overlay).toEqual({ kind: 'settings', overPool: false });
    expect(app.poolShown).toBe(false);
    app.closeSheet();
    expect(app.overlay).toEqual({ kind: 'none' });
  });
});

describe('AppModel: a background refresh does not take the view', () => {
  it('a new run’s session listed after the user opened the pool view leaves the pool view open', async () => {
    let listed = false;
    const api = fakeApi({
      index: () => {
        const idx = index();
        if (listed) idx.projects[0].sessions.unshift(summary({ id: 'new-session-id', title: 'New one' }));
        return idx;
      },
    });
    const app = new AppModel(api);
    await app.init();
    await app.startNew({ cwd: '/home/dev/proj', prompt: 'hello' });
    api.emit({ event: 'cli', line: { type: 'system', subtype: 'init', session_id: 'new-session-id' } });
    await settle();
    app.openPool();
    listed = true;
    await app.refresh(false);
    expect(app.overlay).toEqual({ kind: 'pool' });
    expect(app.selectedSessionId).not.toBe('new-session-id');
  });
});

describe('AppModel: one project’s sessions at a time', () => {
  const MYSTERY = '33333333-2222-4333-8444-555555555555';

  /** A promise and the function that settles it. */
  function gate<T>() {
    let open: (value: T) => void = () => {};
    const promise = new Promise<T>((r) => (open = r));
    return { promise, open };
  }

  it('launch lists the projects and loads the first one’s sessions only, however many projects', async () => {
    const many = (): SessionIndex => ({
      configDir: '/home/dev/.claude',
      profiles: [],
      retention: { periodDays: 30, source: null },
      scannedFiles: 150,
      errors: [],
      projects: Array.from({ length: 50 }, (_, i) => {
        const path = `/work/p${i}`;
        const sessions = [0, 1, 2].map((j) =>
          summary({ id: `${i}-${j}`, projectPath: path, dirName: `-work-p${i}`, lastActivityMs: NOW - i * 1000 - j }),
        );
        return { key: projectKey(path, `-work-p${i}`), projectPath: path, dirName: `-work-p${i}`, lastActivityMs: NOW - i * 1000, sessions };
      }),
    });
    const api = fakeApi({ index: many });
    const app = new AppModel(api);
    await app.init();
    expect(api.mocks.listProjects).toHaveBeenCalledTimes(1);
    expect(api.mocks.projectSessions.mock.calls).toEqual([['cwd:/work/p0']]);
    expect(api.mocks.sessionBriefs).not.toHaveBeenCalled();
    expect(app.projects).toHaveLength(50);
    expect(app.projects[7].sessionCount).toBe(3);
    expect(app.currentSessions.map((s) => s.id)).toEqual(['0-0', '0-1', '0-2']);
    // a refresh: the listing again, and the selected project's sessions again, nothing more
    await app.refresh();
    expect(api.mocks.listProjects).toHaveBeenCalledTimes(2);
    expect(api.mocks.projectSessions.mock.calls).toEqual([['cwd:/work/p0'], ['cwd:/work/p0']]);
  });

  it('selecting a project loads its sessions only; a late answer for the project left is ignored', async () => {
    const api = fakeApi();
    const app = new AppModel(api);
    await app.init();
    api.mocks.projectSessions.mockClear();
    await app.selectProject('cwd:/gone/away');
    expect(api.mocks.projectSessions.mock.calls).toEqual([['cwd:/gone/away']]);
    expect(app.currentSessions.map((s) => s.id)).toEqual([missingDir.id]);

    const base = api.mocks.projectSessions.getMockImplementation()!;
    const late = gate<void>();
    api.mocks.projectSessions.mockImplementationOnce(async (key) => {
      await late.promise;
      return base(key);
    });
    const slow = app.selectProject('cwd:/home/dev/proj');
    // nothing of the previous project shows under the newly selected one while it loads
    expect(app.currentSessions).toEqual([]);
    await app.selectProject('dir:-mystery');
    late.open();
    await slow;
    expect(app.selectedProject).toBe('dir:-mystery');
    expect(app.currentSessions.map((s) => s.id)).toEqual([MYSTERY]);
  });

  it('an older answer for the same project, arriving after a newer one, is ignored', async () => {
    let title = 'Before';
    const api = fakeApi({
      index: () => {
        const idx = index();
        idx.projects[0].sessions[0] = summary({ title });
        return idx;
      },
    });
    const app = new AppModel(api);
    await app.init();
    const base = api.mocks.projectSessions.getMockImplementation()!;
    const late = gate<void>();
    const before = await base('cwd:/home/dev/proj');
    api.mocks.projectSessions.mockImplementationOnce(async () => {
      await late.promise;
      return before;
    });
    const slow = app.selectProject('cwd:/home/dev/proj');
    title = 'After';
    await app.refresh(false);
    expect(app.currentSessions[0].title).toBe('After');
    late.open();
    await slow;
    expect(app.currentSessions[0].title).toBe('After');
  });

  it('the selected project gone from a listing: the first one is selected and loaded', async () => {
    let gone = false;
    const api = fakeApi({
      index: () => {
        const idx = index();
        if (gone) idx.projects = idx.projects.filter((p) => p.key !== 'dir:-mystery');
        return idx;
      },
    });
    const app = new AppModel(api);
    await app.init();
    await app.selectProject('dir:-mystery');
    gone = true;
    await app.refresh();
    expect(app.selectedProject).toBe('cwd:/home/dev/proj');
    expect(app.currentSessions).toHaveLength(2);
  });

  it('a resume request for a session of another project asks the backend, selects that project and loads it', async () => {
    const api = fakeApi();
    const app = new AppModel(api);
    await app.init();
    api.mocks.projectSessions.mockClear();
    await app.handleOpen({ kind: 'resume', sessionId: MYSTERY });
    expect(api.mocks.findSession).toHaveBeenCalledWith(MYSTERY);
    expect(api.mocks.projectSessions.mock.calls).toEqual([['dir:-mystery']]);
    expect(app.selectedProject).toBe('dir:-mystery');
    expect(app.currentSessions.map((s) => s.id)).toEqual([MYSTERY]);
    expect(app.currentSession?.key).toBe(`-mystery/${MYSTERY}`);
    expect(app.detail?.summary.id).toBe(MYSTERY);
  });

  it('selecting a session of the loaded project asks nothing more of the backend', async () => {
    const api = fakeApi();
    const app = new AppModel(api);
    await app.init();
    api.mocks.projectSessions.mockClear();
    await app.selectSession('22222222-2222-4333-8444-555555555555');
    expect(api.mocks.findSession).not.toHaveBeenCalled();
    expect(api.mocks.projectSessions).not.toHaveBeenCalled();
    expect(app.selectedProject).toBe('cwd:/home/dev/proj');
  });

  it('a selection that waits for the backend gives way to a later one', async () => {
    const api = fakeApi();
    const app = new AppModel(api);
    await app.init();
    const base = api.mocks.findSession.getMockImplementation()!;
    const late = gate<void>();
    api.mocks.findSession.mockImplementationOnce(async (k) => {
      await late.promise;
      return base(k);
    });
    const slow = app.selectSession(`-mystery/${MYSTERY}`);
    await app.selectSession(summary().id);
    late.open();
    await slow;
    expect(app.selectedSessionId).toBe(summary().id);
    expect(app.selectedProject).toBe('cwd:/home/dev/proj');
  });

  it('a new run’s session in a folder not listed yet: found, its project listed and selected', async () => {
    const newId = 'abababab-2222-4333-8444-555555555555';
    let written = false;
    const fresh: SessionSummary = summary({ id: newId, projectPath: '/work/new', dirName: '-work-new', title: 'Fresh', lastActivityMs: NOW });
    const api = fakeApi({
      index: () => {
        const idx = index();
        if (written) idx.projects.unshift({ key: 'cwd:/work/new', projectPath: '/work/new', dirName: '-work-new', lastActivityMs: NOW, sessions: [fresh] });
        return idx;
      },
    });
    const app = new AppModel(api);
    await app.init();
    await app.startNew({ cwd: '/work/new', prompt: 'hi' });
    written = true;
    api.emit({ event: 'cli', line: { type: 'system', subtype: 'init', session_id: newId } });
    await new Promise((r) => setTimeout(r, 20));
    expect(app.selectedSessionId).toBe(newId);
    expect(app.selectedProject).toBe('cwd:/work/new');
    expect(app.projects.map((p) => p.key)).toContain('cwd:/work/new');
    expect(app.currentSessions.map((s) => s.id)).toEqual([newId]);
  });
});

describe('AppModel index://changed', () => {
  it('a delta updates, adds and drops sessions of the shown project in order, and the project list, without listing again', async () => {
    let disk = index();
    const api = fakeApi({ index: () => disk });
    const app = new AppModel(api);
    await app.init();
    expect(app.browse.selectedProject).toBe('cwd:/home/dev/proj');
    const lists = api.mocks.listProjects.mock.calls.length;
    const fresh = '44444444-2222-4333-8444-555555555555';
    const second = '22222222-2222-4333-8444-555555555555';
    disk = index();
    const proj = disk.projects[0];
    // A new session, newest; the second one renamed and now older than none; the first one gone.
    proj.sessions = [
      summary({ id: fresh, title: 'Brand new', lastActivityMs: NOW }),
      summary({ id: second, title: 'Second, renamed', lastActivityMs: NOW - 4 * 3_600_000 }),
    ];
    proj.lastActivityMs = NOW;
    api.emitIndexChanged([fresh, second, summary().id]);
    await settle();
    expect(api.mocks.listProjects.mock.calls.length).toBe(lists);
    expect(app.browse.projectSessions.map((s) => [s.id, s.title])).toEqual([
      [fresh, 'Brand new'],
      [second, 'Second, renamed'],
    ]);
    expect(app.browse.projects[0].sessionCount).toBe(2);
    expect(app.browse.projects[0].lastActivityMs).toBe(NOW);
  });

  it('a delta that drops the selected project makes a full listing choose again', async () => {
    let disk = index();
    const api = fakeApi({ index: () => disk });
    const app = new AppModel(api);
    await app.init();
    const lists = api.mocks.listProjects.mock.calls.length;
    disk = index();
    const gone = disk.projects.shift();
    api.emitIndexChanged(gone?.sessions.map((s) => s.id));
    await settle();
    await settle();
    expect(api.mocks.listProjects.mock.calls.length).toBe(lists + 1);
    expect(app.browse.selectedProject).toBe('cwd:/gone/away');
  });
});

describe('AppModel search', () => {
  it('a search hit opens its session (in its project) at a few lines before the hit, and closes the sheet', async () => {
    const api = fakeApi();
    const app = new AppModel(api);
    await app.init();
    app.openSearch();
    expect(app.overlay.kind).toBe('search');
    const other = index().projects[2].sessions[0];
    await app.openSearchHit({ ...other, projectKey: 'dir:-mystery' }, 41, ['needle', 'pars']);
    expect(app.overlay.kind).toBe('none');
    expect(app.transcript?.terms).toEqual(['needle', 'pars']);
    expect(app.browse.selectedSessionKey).toBe(other.key);
    expect(app.browse.selectedProject).toBe('dir:-mystery');
    const call = api.mocks.showSession.mock.calls.at(-1)!;
    expect(call[0]).toBe(other.key);
    expect(call[1]?.from).toBe(36);
    const r = await app.search('second');
    expect(r.sessions.map((s) => s.session.title)).toEqual(['Second']);
    // Opening the session otherwise marks nothing.
    await app.openSearchHit(other, 3);
    expect(app.transcript?.terms).toEqual([]);
  });
});
