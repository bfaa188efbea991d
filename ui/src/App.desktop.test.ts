// The desktop integration as the window sees it: open requests (command line, second launch,
// tray, notifications), drops, shortcuts, the settings view, the in-window tray menu.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import App from './App.svelte';
import { missingDir, summary } from './lib/__fixtures__/data';
import { fakeApi, type FakeApi } from './lib/__fixtures__/fakeApi';
import { AppModel } from './lib/app.svelte';
import type { OpenRequest } from './lib/types';
import { installLayout } from './lib/__fixtures__/layout';

installLayout();

const byTestId = (id: string) => screen.getByTestId(id);

async function openApp(api: FakeApi = fakeApi()) {
  render(App, { api });
  await waitFor(() => expect(screen.getAllByTestId('project-item')).toHaveLength(3));
  return api;
}

describe('App: open requests', () => {
  it('a folder from the command line (queued before the UI listened) opens the new-session sheet, and nothing starts', async () => {
    const api = fakeApi({ intents: [{ kind: 'folder', path: '/work/demo project' }] });
    await openApp(api);
    await waitFor(() => expect(byTestId('new-session-title').textContent).toBe('New session in demo project'));
    expect((byTestId('new-session-cwd') as HTMLInputElement).value).toBe('/work/demo project');
    await waitFor(() => expect(document.activeElement).toBe(byTestId('new-session-prompt')));
    expect(api.mocks.startSession).not.toHaveBeenCalled();
    await fireEvent.input(byTestId('new-session-prompt'), { target: { value: 'hello' } });
    await fireEvent.click(byTestId('new-session-start'));
    await waitFor(() => expect(api.lastRequest()).toMatchObject({ cwd: '/work/demo project', prompt: 'hello' }));
  });

  it('the sheet takes the model and permission mode from the settings', async () => {
    const api = fakeApi();
    api.settingsState.defaultModel = 'opus';
    api.settingsState.defaultPermissionMode = 'plan';
    await openApp(api);
    await waitFor(() => expect(api.mocks.settings).toHaveBeenCalled());
    api.emitOpen({ kind: 'folder', path: '/w/p' });
    await waitFor(() => expect((byTestId('new-session-model') as HTMLInputElement).value).toBe('opus'));
    expect((byTestId('new-session-permission-mode') as HTMLSelectElement).value).toBe('plan');
  });

  it('a resume request opens that session and focuses its resume prompt', async () => {
    const api = await openApp();
    const id = '22222222-2222-4333-8444-555555555555';
    api.emitOpen({ kind: 'resume', sessionId: id });
    await waitFor(() => expect(byTestId('session-heading').textContent).toContain('Second'));
    await waitFor(() => expect(document.activeElement).toBe(byTestId('resume-prompt')));
  });

  it('a resume request for a session of another project selects that project and shows the session in its list', async () => {
    const api = await openApp();
    api.emitOpen({ kind: 'resume', sessionId: missingDir.id });
    await waitFor(() => expect(byTestId('session-heading').textContent).toContain('Old work'));
    expect(api.mocks.findSession).toHaveBeenCalledWith(missingDir.id);
    const project = screen.getAllByTestId('project-item').find((el) => el.getAttribute('aria-current') === 'true');
    expect(project?.dataset.projectKey).toBe('cwd:/gone/away');
    await waitFor(() => {
      const selected = screen.getAllByTestId('session-item').find((el) => el.getAttribute('aria-current') === 'true');
      expect(selected?.dataset.sessionId).toBe(missingDir.id);
    });
    expect(screen.getAllByTestId('session-item')).toHaveLength(1);
  });

  it('an unknown session or an error request is said in the banner', async () => {
    const api = await openApp();
    api.emitOpen({ kind: 'resume', sessionId: '99999999-2222-4333-8444-555555555555' });
    await waitFor(() => expect(byTestId('error-banner').textContent).toContain('No session 99999999'));
    api.emitOpen({ kind: 'error', message: 'cannot open the folder /nope: No such file or directory' });
    await waitFor(() => expect(byTestId('error-banner').textContent).toContain('/nope'));
    expect(screen.queryByTestId('new-session-title')).toBeNull();
  });

  it('settings and new-session requests open their views', async () => {
    const api = await openApp();
    api.emitOpen({ kind: 'settings' } satisfies OpenRequest);
    await waitFor(() => expect(byTestId('settings-view')).toBeTruthy());
    await fireEvent.click(byTestId('settings-cancel'));
    api.emitOpen({ kind: 'newSession' });
    await waitFor(() => expect(byTestId('new-session-title').textContent).toBe('New session in proj'));
  });

  it('settings opened over the pool view close back to it', async () => {
    const api = await openApp();
    await fireEvent.click(byTestId('open-pool-view'));
    await waitFor(() => expect(byTestId('pool-view')).toBeTruthy());
    api.emitOpen({ kind: 'settings' });
    await waitFor(() => expect(byTestId('settings-view')).toBeTruthy());
    expect(byTestId('pool-view')).toBeTruthy();
    await fireEvent.click(byTestId('settings-cancel'));
    await waitFor(() => expect(screen.queryByTestId('settings-view')).toBeNull());
    expect(byTestId('pool-view')).toBeTruthy();
    expect(byTestId('open-pool-view').classList.contains('selected')).toBe(true);
  });

  it('applies index://changed deltas without listing again; reads the open transcript again only if it changed', async () => {
    const api = await openApp();
    await fireEvent.click(screen.getAllByTestId('session-item')[0]);
    await waitFor(() => expect(byTestId('transcript')).toBeTruthy());
    const lists = api.mocks.listProjects.mock.calls.length;
    const sessions = api.mocks.projectSessions.mock.calls.length;
    const shows = api.mocks.showSession.mock.calls.length;
    api.emitIndexChanged(['other-session']);
    api.emitIndexChanged([]);
    api.emitIndexChanged(['another']);
    await new Promise((r) => setTimeout(r, 20));
    expect(api.mocks.listProjects.mock.calls.length).toBe(lists);
    expect(api.mocks.projectSessions.mock.calls.length).toBe(sessions);
    expect(api.mocks.showSession.mock.calls.length).toBe(shows);
    api.emitIndexChanged([summary().id]);
    await waitFor(() => expect(api.mocks.showSession.mock.calls.length).toBe(shows + 1));
    expect(api.mocks.listProjects.mock.calls.length).toBe(lists);
  });
});

describe('App: drops', () => {
  it('a folder dropped on the window opens the sheet for it; several items get a message', async () => {
    const api = await openApp();
    api.emitDragDrop({ type: 'enter', paths: ['/w/proj'], position: { x: 5, y: 5 } });
    await waitFor(() => expect(byTestId('drop-overlay').textContent).toContain('Drop a folder'));
    api.emitDragDrop({ type: 'drop', paths: ['/w/proj'], position: { x: 5, y: 5 } });
    await waitFor(() => expect((byTestId('new-session-cwd') as HTMLInputElement).value).toBe('/w/proj'));
    expect(screen.queryByTestId('drop-overlay')).toBeNull();
    await fireEvent.keyDown(byTestId('new-session-prompt'), { key: 'Escape' });
    api.emitDragDrop({ type: 'drop', paths: ['/a', '/b'], position: { x: 5, y: 5 } });
    await waitFor(() => expect(byTestId('error-banner').textContent).toContain('2 items were dropped'));
    expect(api.mocks.startSession).not.toHaveBeenCalled();
  });
});

describe('App: drops on prompt boxes and open sheets', () => {
  it('files dropped on the resume prompt become @mentions there (the Resume button sees them)', async () => {
    const api = await openApp();
    await fireEvent.click(screen.getAllByTestId('session-item')[0]);
    const box = (await waitFor(() => byTestId('resume-prompt'))) as HTMLTextAreaElement;
    const resume = byTestId('resume-button') as HTMLButtonElement;
    expect(resume.disabled).toBe(true);
    const seen: number[][] = [];
    const original = document.elementFromPoint;
    document.elementFromPoint = (x: number, y: number) => {
      seen.push([x, y]);
      return box;
    };
    try {
      api.emitDragDrop({ type: 'over', paths: [], position: { x: 30, y: 60 } });
      await waitFor(() => expect(byTestId('drop-overlay').textContent).toContain('mention them in the prompt'));
      api.emitDragDrop({ type: 'drop', paths: ['/w/src/main.rs'], position: { x: 30, y: 60 } });
      await waitFor(() => expect(box.value).toBe('@/w/src/main.rs '));
    } finally {
      document.elementFromPoint = original;
    }
    expect(api.mocks.classifyDrop).toHaveBeenCalledWith(['/w/src/main.rs'], 'promptBox');
    expect(seen.at(-1)).toEqual([30, 60]);
    await waitFor(() => expect(resume.disabled).toBe(false));
    expect(screen.queryByTestId('new-session-title')).toBeNull();
    expect(api.mocks.startSession).not.toHaveBeenCalled();
  });

  it('a folder dropped while the new-session sheet is open changes its folder and keeps the prompt', async () => {
    const api = await openApp();
    await fireEvent.keyDown(window, { key: 'n', ctrlKey: true });
    await fireEvent.input(await waitFor(() => byTestId('new-session-prompt')), { target: { value: 'tidy up' } });
    api.emitDragDrop({ type: 'drop', paths: ['/w/elsewhere'], position: { x: 5, y: 5 } });
    await waitFor(() => expect((byTestId('new-session-cwd') as HTMLInputElement).value).toBe('/w/elsewhere'));
    expect((byTestId('new-session-prompt') as HTMLTextAreaElement).value).toBe('tidy up');
    expect(byTestId('new-session-title').textContent).toBe('New session in elsewhere');
    await fireEvent.click(byTestId('new-session-start'));
    await waitFor(() => expect(api.lastRequest()).toMatchObject({ cwd: '/w/elsewhere', prompt: 'tidy up' }));
  });
});

describe('App: shortcuts', () => {
  it('Ctrl+N opens the new-session sheet', async () => {
    await openApp();
    await fireEvent.keyDown(window, { key: 'n', ctrlKey: true });
    await waitFor(() => expect(byTestId('new-session-title')).toBeTruthy());
    expect((byTestId('new-session-cwd') as HTMLInputElement).value).toBe('/home/dev/proj');
  });

  it('Ctrl+K finds a session by title and Enter opens it', async () => {
    await openApp();
    await fireEvent.keyDown(window, { key: 'k', metaKey: true });
    const input = await waitFor(() => byTestId('quick-switcher-input'));
    await waitFor(() => expect(document.activeElement).toBe(input));
    await fireEvent.input(input, { target: { value: 'old' } });
    const items = screen.getAllByTestId('quick-switcher-item');
    expect(items).toHaveLength(1);
    expect(items[0].textContent).toContain('Old work');
    await fireEvent.keyDown(input, { key: 'Enter' });
    await waitFor(() => expect(byTestId('session-heading').textContent).toContain('Old work'));
    expect(screen.queryByTestId('quick-switcher')).toBeNull();
  });

  it('the switcher loads every session’s brief when it opens (not before), filters them, and drops them when it closes', async () => {
    const api = await openApp();
    expect(api.mocks.sessionBriefs).not.toHaveBeenCalled();
    // held back: until they are in, the switcher lists the live runs only (none here)
    const base = api.mocks.sessionBriefs.getMockImplementation()!;
    let release: () => void = () => {};
    const held = new Promise<void>((r) => (release = r));
    api.mocks.sessionBriefs.mockImplementationOnce(async () => {
      await held;
      return base();
    });
    await fireEvent.keyDown(window, { key: 'k', ctrlKey: true });
    const input = await waitFor(() => byTestId('quick-switcher-input'));
    expect(api.mocks.sessionBriefs).toHaveBeenCalledTimes(1);
    expect(screen.queryAllByTestId('quick-switcher-item')).toHaveLength(0);
    expect(byTestId('quick-switcher').textContent).toContain('Loading sessions');
    release();
    // every project's sessions, newest first, each with its project's folder name
    await waitFor(() => expect(screen.getAllByTestId('quick-switcher-item')).toHaveLength(4));
    const items = screen.getAllByTestId('quick-switcher-item');
    expect(items.map((i) => i.querySelector('.title')?.textContent)).toEqual(['Say hello', 'No cwd', 'Second', 'Old work']);
    expect(items.map((i) => i.querySelector('.detail')?.textContent)).toEqual(['proj', '-mystery', 'proj', 'away']);
    await fireEvent.input(input, { target: { value: 'no CWD' } });
    expect(screen.getAllByTestId('quick-switcher-item').map((i) => i.dataset.key)).toEqual(['-mystery/33333333-2222-4333-8444-555555555555']);
    // closed and opened again: asked again (the list was not kept)
    await fireEvent.keyDown(input, { key: 'Escape' });
    expect(screen.queryByTestId('quick-switcher')).toBeNull();
    await fireEvent.keyDown(window, { key: 'k', ctrlKey: true });
    await waitFor(() => expect(screen.getAllByTestId('quick-switcher-item')).toHaveLength(4));
    expect(api.mocks.sessionBriefs).toHaveBeenCalledTimes(2);
  });

  it('picking a session of another project in the switcher selects that project and shows the session in its list', async () => {
    const api = await openApp();
    await fireEvent.keyDown(window, { key: 'k', ctrlKey: true });
    const input = await waitFor(() => byTestId('quick-switcher-input'));
    await fireEvent.input(input, { target: { value: 'no cwd' } });
    await waitFor(() => expect(screen.getAllByTestId('quick-switcher-item')).toHaveLength(1));
    await fireEvent.click(screen.getByTestId('quick-switcher-item'));
    await waitFor(() => expect(byTestId('session-heading').textContent).toContain('No cwd'));
    expect(api.mocks.findSession).toHaveBeenCalledWith('-mystery/33333333-2222-4333-8444-555555555555');
    expect(api.mocks.projectSessions).toHaveBeenLastCalledWith('dir:-mystery');
    const project = screen.getAllByTestId('project-item').find((el) => el.getAttribute('aria-current') === 'true');
    expect(project?.dataset.projectKey).toBe('dir:-mystery');
    await waitFor(() => {
      const selected = screen.getAllByTestId('session-item').find((el) => el.getAttribute('aria-current') === 'true');
      expect(selected?.dataset.sessionKey).toBe('-mystery/33333333-2222-4333-8444-555555555555');
    });
  });

  it('Esc closes the switcher', async () => {
    await openApp();
    await fireEvent.keyDown(window, { key: 'k', ctrlKey: true });
    await fireEvent.keyDown(await waitFor(() => byTestId('quick-switcher-input')), { key: 'Escape' });
    expect(screen.queryByTestId('quick-switcher')).toBeNull();
  });
});

describe('App: settings view', () => {
  it('shows where claude is, saves changes and applies the theme', async () => {
    const api = await openApp();
    await fireEvent.click(byTestId('settings-button'));
    await waitFor(() => expect(byTestId('settings-claude-found').textContent).toContain('/usr/local/bin/claude'));
    expect(byTestId('settings-claude-found').textContent).toContain('2.1.112 (Claude Code)');
    expect(byTestId('settings-claude-found').textContent).toContain('PATH');
    await fireEvent.input(byTestId('settings-tray-recent'), { target: { value: '4' } });
    await fireEvent.change(byTestId('settings-theme'), { target: { value: 'dark' } });
    await fireEvent.change(byTestId('settings-permission-mode'), { target: { value: 'acceptEdits' } });
    await fireEvent.input(byTestId('settings-ttl'), { target: { value: '30' } });
    await fireEvent.click(byTestId('settings-save'));
    await waitFor(() => expect(byTestId('settings-saved')).toBeTruthy());
    expect(api.settingsState).toMatchObject({ trayRecent: 4, theme: 'dark', defaultPermissionMode: 'acceptEdits' });
    expect(api.settingsState.pool.ttlMs).toBe(1_800_000);
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe('dark'));
  });

  it('a theme picked in the view shows at once; closing without saving brings the saved one back', async () => {
    const media = window.matchMedia;
    window.matchMedia = ((q: string) => ({ matches: true, media: q, addEventListener() {}, removeEventListener() {} })) as unknown as typeof window.matchMedia;
    try {
      const api = await openApp();
      await waitFor(() => expect(document.documentElement.dataset.theme).toBe('dark'));
      await fireEvent.click(byTestId('settings-button'));
      await fireEvent.change(await waitFor(() => byTestId('settings-theme')), { target: { value: 'light' } });
      await waitFor(() => expect(document.documentElement.dataset.theme).toBe('light'));
      await fireEvent.click(byTestId('settings-cancel'));
      await waitFor(() => expect(document.documentElement.dataset.theme).toBe('dark'));
      expect(api.mocks.saveSettings).not.toHaveBeenCalled();
      await fireEvent.click(byTestId('settings-button'));
      await fireEvent.change(await waitFor(() => byTestId('settings-theme')), { target: { value: 'light' } });
      await fireEvent.click(byTestId('settings-save'));
      await waitFor(() => expect(byTestId('settings-saved')).toBeTruthy());
      await fireEvent.click(byTestId('settings-cancel'));
      await waitFor(() => expect(screen.queryByTestId('settings-view')).toBeNull());
      expect(document.documentElement.dataset.theme).toBe('light');
    } finally {
      window.matchMedia = media;
    }
  });

  it('an invalid value is refused with the backend’s words and nothing is saved', async () => {
    const api = await openApp();
    await fireEvent.click(byTestId('settings-button'));
    await waitFor(() => byTestId('settings-tray-recent'));
    await fireEvent.input(byTestId('settings-tray-recent'), { target: { value: '0' } });
    await fireEvent.click(byTestId('settings-save'));
    await waitFor(() => expect(byTestId('settings-error').textContent).toContain('1 to 50'));
    expect(api.settingsState.trayRecent).toBe(10);
    expect(screen.queryByTestId('settings-saved')).toBeNull();
  });

  it('Find tests a typed path and lists the places tried when nothing is there', async () => {
    await openApp();
    await fireEvent.click(byTestId('settings-button'));
    await waitFor(() => byTestId('settings-claude-path'));
    await fireEvent.input(byTestId('settings-claude-path'), { target: { value: '/nowhere/claude' } });
    await fireEvent.click(byTestId('settings-claude-test'));
    await waitFor(() => expect(byTestId('settings-claude-tried').textContent).toContain('/nowhere/claude'));
    expect(screen.queryByTestId('settings-claude-found')).toBeNull();
  });
});

describe('App: the tray menu in the window', () => {
  it('shows the tray model and sends the clicked action to the backend', async () => {
    const api = await openApp();
    await fireEvent.click(byTestId('tray-menu-button'));
    const menu = await waitFor(() => byTestId('tray-menu'));
    expect(within(menu).getByTestId('tray-menu-header').textContent).toBe('Recent');
    const items = within(menu).getAllByTestId('tray-menu-item');
    expect(items.map((i) => i.dataset.actionId)).toEqual(['resume:s1', 'quit']);
    await fireEvent.click(items[0]);
    expect(api.mocks.trayAction).toHaveBeenCalledWith({ kind: 'resume', sessionId: 's1' });
    expect(screen.queryByTestId('tray-menu')).toBeNull();
  });
});
