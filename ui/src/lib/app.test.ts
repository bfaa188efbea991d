import { describe, expect, it } from 'vitest';
import { detail, index, message, summary } from './__fixtures__/data';
import { fakeApi } from './__fixtures__/fakeApi';
import { AppModel } from './app.svelte';

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('AppModel', () => {
  it('loads info and index and opens the newest project', async () => {
    const app = new AppModel(fakeApi());
    await app.init();
    expect(app.info?.version).toBe('0.1.0');
    expect(app.selectedProject).toBe('-home-dev-proj');
    expect(app.currentProject?.sessions).toHaveLength(2);
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
    expect(app.selectedProject).toBe('-mystery');
    expect(app.detail?.summary.id).toBe('33333333-2222-4333-8444-555555555555');
  });

  it('resume is refused for a session that cannot resume', async () => {
    const api = fakeApi();
    const app = new AppModel(api);
    await app.init();
    await app.selectSession('11111111-2222-4333-8444-555555555555');
    await app.resume('hello');
    expect(api.mocks.startRun).not.toHaveBeenCalled();
  });

  it('ends an idle run before starting the next one', async () => {
    const api = fakeApi();
    const app = new AppModel(api);
    await app.init();
    await app.startNew({ cwd: '/a', prompt: 'one' });
    api.emit({ event: 'cli', line: { type: 'result', subtype: 'success' } });
    expect(app.run?.state.status).toBe('idle');
    expect(app.runBlocker).toBeNull();
    await app.startNew({ cwd: '/a', prompt: 'two' });
    expect(api.mocks.stopRun).toHaveBeenCalledWith('run-1');
    expect(app.run?.runId).toBe('run-2');
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

  it('closes only an ended run', async () => {
    const api = fakeApi();
    const app = new AppModel(api);
    await app.init();
    await app.startNew({ cwd: '/a', prompt: 'x' });
    app.closeRun();
    expect(app.run).not.toBeNull();
    api.emit({ event: 'exited', code: 0, stderrTail: '', errors: [], sessionId: null });
    app.closeRun();
    expect(app.run).toBeNull();
  });

  it('reports a follow-up to a run that already ended', async () => {
    const api = fakeApi();
    api.mocks.sendPrompt.mockRejectedValue({ kind: 'run_ended', message: 'The run has ended.' });
    const app = new AppModel(api);
    await app.init();
    await app.startNew({ cwd: '/a', prompt: 'x' });
    expect(await app.run!.send('more')).toBe(false);
    expect(app.run!.state.status).toBe('exited');
    expect(app.run!.state.errors).toEqual(['The run has ended.']);
  });
});

describe('AppModel resume', () => {
  it('forks when asked', async () => {
    const api = fakeApi();
    const app = new AppModel(api);
    await app.init();
    await app.selectSession(summary().id);
    await app.resume(' again ', true);
    expect(api.lastRequest()).toEqual({ cwd: '/home/dev/proj', prompt: 'again', resume: summary().id, forkSession: true });
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
    expect(app.selectedProject).toBe('-home-dev-proj');
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
    let written: string[] = [];
    const api = fakeApi({
      detail: (id) => {
        const d = detail({}, index().projects.flatMap((p) => p.sessions).find((x) => x.id === id)!);
        d.transcript.entries.push(...written.map((p) => message('user', p)), message('assistant', [{ type: 'text', text: 'ok' }]));
        return d;
      },
    });
    const app = new AppModel(api);
    await app.init();
    await app.selectSession(summary().id);
    await app.resume('Run echo');
    expect(app.runTurnsShown).toBe(0);
    written = ['Run echo'];
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
