// The UI's own preferences through the AppModel: what a start restores from them and what the
// user's moves keep, with one fake store shared by two models standing for a restart.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { index, summary } from './__fixtures__/data';
import { fakeApi } from './__fixtures__/fakeApi';
import { fakePrefs, type FakePrefs } from './__fixtures__/fakePrefs';
import { AppModel } from './app.svelte';
import { defaultPrefs } from './stores/prefs.svelte';

const MYSTERY = 'dir:-mystery';
const MYSTERY_SESSION = '-mystery/33333333-2222-4333-8444-555555555555';
const SECOND = '-home-dev-proj/22222222-2222-4333-8444-555555555555';

let warn: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => warn.mockRestore());

/** A model started with `prefs` (and a fresh fake backend, unless given). */
async function start(prefs: FakePrefs | null, api = fakeApi()) {
  const app = new AppModel(api, prefs);
  await app.init();
  return { app, api };
}

/** The model as a user left it: its pending save written, then gone. */
async function quit(app: AppModel) {
  app.dispose();
  await app.prefs.flush();
}

describe('AppModel with preferences: a first start is as without them', () => {
  for (const [what, prefs] of [
    ['no store', () => null],
    ['an empty store', () => fakePrefs()],
    ['a garbled file', () => fakePrefs({ project: 42, session: ['x'], poolShown: 'yes', dismissedNotices: 'no' })],
    ['a file of another shape', () => fakePrefs('[1,2,3]')],
  ] as const) {
    it(`${what}: the newest project, no session, no pool view, no error`, async () => {
      const { app } = await start(prefs());
      expect(app.selectedProject).toBe('cwd:/home/dev/proj');
      expect(app.selectedSessionKey).toBeNull();
      expect(app.poolShown).toBe(false);
      expect(app.errors).toEqual([]);
    });
  }

  it('a store that fails to read and to save: the defaults, logged only', async () => {
    const prefs = fakePrefs();
    prefs.mocks.load.mockRejectedValue(new Error('EACCES'));
    prefs.mocks.save.mockRejectedValue(new Error('EROFS'));
    const { app } = await start(prefs);
    expect(app.selectedProject).toBe('cwd:/home/dev/proj');
    await app.selectSession(summary().key);
    await quit(app);
    expect(prefs.mocks.save).toHaveBeenCalledTimes(1);
    expect(app.errors).toEqual([]);
    expect(warn).toHaveBeenCalledTimes(2);
  });

  it('starting saves nothing (the default project is not a choice)', async () => {
    const prefs = fakePrefs();
    const { app } = await start(prefs);
    await quit(app);
    expect(prefs.mocks.save).not.toHaveBeenCalled();
  });
});

describe('AppModel with preferences: the selection', () => {
  it('a session opened is open again after a restart, its project selected', async () => {
    const prefs = fakePrefs();
    const first = await start(prefs);
    await first.app.selectSession(MYSTERY_SESSION);
    expect(first.app.selectedProject).toBe(MYSTERY);
    await quit(first.app);
    expect(prefs.saved).toEqual({ ...defaultPrefs(), project: MYSTERY, session: MYSTERY_SESSION });

    const { app, api } = await start(prefs);
    expect(app.selectedProject).toBe(MYSTERY);
    expect(app.currentSessions.map((s) => s.key)).toEqual([MYSTERY_SESSION]);
    expect(app.selectedSessionKey).toBe(MYSTERY_SESSION);
    expect(app.detail?.summary.key).toBe(MYSTERY_SESSION);
    expect(api.mocks.showSession).toHaveBeenCalledTimes(1);
  });

  it('a project selected (no session open) is selected again', async () => {
    const prefs = fakePrefs();
    const first = await start(prefs);
    await first.app.selectProject('cwd:/gone/away');
    await quit(first.app);
    const { app } = await start(prefs);
    expect(app.selectedProject).toBe('cwd:/gone/away');
    expect(app.selectedSessionKey).toBeNull();
  });

  it('a new session started closes the one open: none is open after a restart', async () => {
    const prefs = fakePrefs();
    const first = await start(prefs);
    await first.app.selectSession(SECOND);
    await first.app.startNew({ cwd: '/home/dev/proj', prompt: 'hi' });
    await quit(first.app);
    expect(prefs.saved).toMatchObject({ project: 'cwd:/home/dev/proj', session: null });
  });

  it('a project no longer listed: the newest project, as without preferences', async () => {
    const prefs = fakePrefs({ project: 'cwd:/removed', session: '-removed/1' });
    const { app } = await start(prefs);
    expect(app.selectedProject).toBe('cwd:/home/dev/proj');
    expect(app.selectedSessionKey).toBeNull();
  });

  it('a session no longer listed: its project only', async () => {
    const prefs = fakePrefs({ project: 'cwd:/home/dev/proj', session: '-home-dev-proj/deleted' });
    const { app, api } = await start(prefs);
    expect(app.selectedProject).toBe('cwd:/home/dev/proj');
    expect(app.selectedSessionKey).toBeNull();
    expect(api.mocks.showSession).not.toHaveBeenCalled();
  });

  it('a session listed, but under another project than the one kept: not opened', async () => {
    const prefs = fakePrefs({ project: 'cwd:/gone/away', session: SECOND });
    const { app } = await start(prefs);
    expect(app.selectedProject).toBe('cwd:/gone/away');
    expect(app.selectedSessionKey).toBeNull();
  });

  it('a launch request wins over what is restored', async () => {
    const prefs = fakePrefs({ project: MYSTERY, session: MYSTERY_SESSION });
    const api = fakeApi({ intents: [{ kind: 'resume', sessionId: '22222222-2222-4333-8444-555555555555' }] });
    const { app } = await start(prefs, api);
    expect(app.selectedProject).toBe('cwd:/home/dev/proj');
    expect(app.selectedSessionKey).toBe(SECOND);
    await quit(app);
    expect(prefs.saved).toMatchObject({ project: 'cwd:/home/dev/proj', session: SECOND });
  });

  it('the restore is the first listing only: later listings keep the selection as before', async () => {
    const prefs = fakePrefs({ project: MYSTERY, session: MYSTERY_SESSION });
    const { app } = await start(prefs);
    await app.selectSession(SECOND);
    await app.refresh();
    expect(app.selectedSessionKey).toBe(SECOND);
    expect(app.selectedProject).toBe('cwd:/home/dev/proj');
  });

  it('the project kept listed later than the first listing is not selected then', async () => {
    let listed = index();
    const prefs = fakePrefs({ project: MYSTERY });
    const hidden = { ...listed, projects: listed.projects.filter((p) => p.key !== MYSTERY) };
    const api = fakeApi({ index: () => listed });
    listed = hidden;
    const { app } = await start(prefs, api);
    expect(app.selectedProject).toBe('cwd:/home/dev/proj');
    listed = index();
    await app.refresh();
    expect(app.selectedProject).toBe('cwd:/home/dev/proj');
  });
});

describe('AppModel with preferences: the pool view', () => {
  it('shown when the app was left: shown again, the session restored under it', async () => {
    const prefs = fakePrefs();
    const first = await start(prefs);
    await first.app.selectSession(MYSTERY_SESSION);
    first.app.openPool();
    first.app.openSettings();
    await quit(first.app);
    expect(prefs.saved).toMatchObject({ poolShown: true, session: MYSTERY_SESSION });

    const { app } = await start(prefs);
    expect(app.poolShown).toBe(true);
    // the sheet open at the end is not restored
    expect(app.overlay).toEqual({ kind: 'pool' });
    expect(app.selectedSessionKey).toBe(MYSTERY_SESSION);
    // leaving it shows the session, and is kept
    await app.selectSession(MYSTERY_SESSION);
    expect(app.poolShown).toBe(false);
    await quit(app);
    expect(prefs.saved).toMatchObject({ poolShown: false });
  });
});

describe('AppModel with preferences: dismissed notices', () => {
  const withNotices = (notices: string[]) => {
    const api = fakeApi();
    api.mocks.appInfo.mockResolvedValue({ configDir: '/c', claude: { path: '/bin/claude', error: null }, version: '0.1.0', maxSessions: 8, profiles: [], notices });
    return api;
  };
  const noData = "ccdesk's session registry cannot be kept: no data dir on this system";

  it('a notice dismissed is not shown again after a restart; a new one is, and errors are not touched', async () => {
    const prefs = fakePrefs();
    const first = await start(prefs, withNotices([noData]));
    expect(first.app.notices).toEqual([noData]);
    first.app.dismissNotices();
    expect(first.app.notices).toEqual([]);
    await quit(first.app);
    expect(prefs.saved).toMatchObject({ dismissedNotices: [noData] });

    const corrupt = "ccdesk's settings file /d/settings.json is not JSON: defaults are used; it was kept as /d/settings.json.backup-9";
    const api = withNotices([noData, corrupt]);
    api.mocks.listProjects.mockRejectedValueOnce(new Error('boom'));
    const { app } = await start(prefs, api);
    expect(app.notices).toEqual([corrupt]);
    expect(app.errors).toHaveLength(1);
    expect(app.errors[0]).toContain('boom');
  });
});
