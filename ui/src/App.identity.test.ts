// Identity (issue 9): projects, sessions and transcript items that share a directory name, a
// session id or a uuid are all shown, each selectable, and the right transcript opens.
import { TranscriptWindow } from './lib/transcriptWindow.svelte';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import App from './App.svelte';
import { detail, message, NOW, summary } from './lib/__fixtures__/data';
import { fakeApi } from './lib/__fixtures__/fakeApi';
import { installLayout } from './lib/__fixtures__/layout';
import { AppModel } from './lib/app.svelte';
import type { SessionIndex } from './lib/types';

installLayout();

const SAME = '5a5a5a5a-2222-4333-8444-555555555555';

function trickyIndex(): SessionIndex {
  const ab = summary({ id: 'ab-1', projectPath: '/work/a-b', dirName: '-work-a-b', title: 'In a-b', lastActivityMs: NOW - 1000 });
  const a_b = summary({ id: 'ab-2', projectPath: '/work/a_b', dirName: '-work-a-b', title: 'In a_b', lastActivityMs: NOW - 2000 });
  const nocwd = summary({ id: 'ab-3', projectPath: null, dirName: '-work-a-b', title: 'No cwd here', lastActivityMs: NOW - 3000 });
  const inC = summary({ id: SAME, projectPath: '/work/c', dirName: '-work-c', title: 'Copy in c', lastActivityMs: NOW - 9000 });
  const inD = summary({ id: SAME, projectPath: '/work/d', dirName: '-work-d', title: 'Copy in d', lastActivityMs: NOW - 4000 });
  return {
    configDir: '/home/dev/.claude',
    profiles: [],
    retention: { periodDays: 30, source: null },
    scannedFiles: 5,
    errors: [],
    projects: [
      { key: 'cwd:/work/a-b', projectPath: '/work/a-b', dirName: '-work-a-b', lastActivityMs: ab.lastActivityMs, sessions: [ab] },
      { key: 'cwd:/work/a_b', projectPath: '/work/a_b', dirName: '-work-a-b', lastActivityMs: a_b.lastActivityMs, sessions: [a_b] },
      { key: 'dir:-work-a-b', projectPath: null, dirName: '-work-a-b', lastActivityMs: nocwd.lastActivityMs, sessions: [nocwd] },
      { key: 'cwd:/work/d', projectPath: '/work/d', dirName: '-work-d', lastActivityMs: inD.lastActivityMs, sessions: [inD] },
      { key: 'cwd:/work/c', projectPath: '/work/c', dirName: '-work-c', lastActivityMs: inC.lastActivityMs, sessions: [inC] },
    ],
  };
}

function api() {
  return fakeApi({
    index: trickyIndex,
    detail: (id, key) => {
      const s = trickyIndex().projects.flatMap((p) => p.sessions).find((x) => x.key === key)!;
      return detail({ list: [message('user', `transcript of ${key}`), message('assistant', [{ type: 'text', text: 'same uuid, first' }], { uuid: 'dup' }), message('assistant', [{ type: 'text', text: 'same uuid, second' }], { uuid: 'dup' }), message('user', 'between', { uuid: 'dup' })] }, s);
    },
  });
}

const projectItem = (key: string) => screen.getAllByTestId('project-item').find((el) => el.dataset.projectKey === key)!;

describe('App: projects and sessions that share names', () => {
  it('shows every project (a-b and a_b share a directory, a no-cwd one beside them), each selectable', async () => {
    render(App, { api: api() });
    await waitFor(() => expect(screen.getAllByTestId('project-item')).toHaveLength(5));
    const keys = screen.getAllByTestId('project-item').map((el) => el.dataset.projectKey);
    expect(keys).toEqual(['cwd:/work/a-b', 'cwd:/work/a_b', 'dir:-work-a-b', 'cwd:/work/d', 'cwd:/work/c']);
    expect(projectItem('dir:-work-a-b').textContent).toContain('unknown path');
    for (const [key, title] of [['cwd:/work/a_b', 'In a_b'], ['dir:-work-a-b', 'No cwd here'], ['cwd:/work/a-b', 'In a-b']]) {
      await fireEvent.click(projectItem(key));
      expect(projectItem(key).getAttribute('aria-current')).toBe('true');
      await waitFor(() => expect(screen.getAllByTestId('session-title').map((t) => t.textContent)).toEqual([title]));
    }
  });

  it('one session id in two project dirs: each opens its own transcript', async () => {
    const fake = api();
    render(App, { api: fake });
    await waitFor(() => expect(screen.getAllByTestId('project-item')).toHaveLength(5));
    for (const dir of ['c', 'd']) {
      await fireEvent.click(projectItem(`cwd:/work/${dir}`));
      const item = await waitFor(() => screen.getByTestId('session-item'));
      expect(item.dataset.sessionId).toBe(SAME);
      expect(item.dataset.sessionKey).toBe(`-work-${dir}/${SAME}`);
      await fireEvent.click(item);
      await waitFor(() => expect(screen.getByTestId('transcript').textContent).toContain(`transcript of -work-${dir}/${SAME}`));
      expect(fake.mocks.showSession).toHaveBeenLastCalledWith(`-work-${dir}/${SAME}`, { from: null, limit: TranscriptWindow.firstPageLines });
      expect(screen.getByTestId('session-item').getAttribute('aria-current')).toBe('true');
    }
  });

  it('a duplicated uuid in a transcript: every line is shown, keyed by line', async () => {
    render(App, { api: api() });
    await waitFor(() => expect(screen.getAllByTestId('project-item')).toHaveLength(5));
    await fireEvent.click(await waitFor(() => screen.getByTestId('session-item')));
    const t = await waitFor(() => {
      const el = screen.getByTestId('transcript');
      expect(el.dataset.state).toBe('ready');
      return el;
    });
    await waitFor(() => expect(within(t).getAllByTestId('transcript-item')).toHaveLength(3));
    const keys = within(t).getAllByTestId('transcript-item').map((el) => el.dataset.entryKey);
    expect(keys[0]).toMatch(/^0:uuid-\d+$/);
    // lines 1 and 2 are one reply (it takes its first line's key); line 3 has the same uuid
    expect(keys.slice(1)).toEqual(['1:dup', '3:dup']);
    expect(t.textContent).toContain('same uuid, first');
    expect(t.textContent).toContain('same uuid, second');
    expect(t.textContent).toContain('between');
    expect(t.dataset.total).toBe('4');
  });

  it('an open request that knows only the id opens the newest session with it', async () => {
    const app = new AppModel(api());
    await app.init();
    await app.handleOpen({ kind: 'resume', sessionId: SAME });
    expect(app.selectedSessionKey).toBe(`-work-d/${SAME}`);
    expect(app.selectedProject).toBe('cwd:/work/d');
    expect(app.currentSession?.title).toBe('Copy in d');
  });
});

describe('App: containment', () => {
  it('a pane that fails to render shows a note; the rest of the window stays; the error is in the banner and __ccdeskErrors', async () => {
    window.__ccdeskErrors = [];
    try {
      const broken = trickyIndex();
      // a summary the session list cannot render
      (broken.projects[0].sessions[0] as { resumability: unknown }).resumability = null;
      render(App, { api: fakeApi({ index: () => broken }) });
      await waitFor(() => expect(screen.getAllByTestId('project-item')).toHaveLength(5));
      await waitFor(() => expect(screen.getByTestId('render-failed')).toBeTruthy());
      expect(screen.getByTestId('error-banner').textContent).toContain('Could not render part of the window');
      expect(window.__ccdeskErrors).toHaveLength(1);
      // another project's sessions render
      await fireEvent.click(projectItem('cwd:/work/d'));
      await waitFor(() => expect(screen.getByTestId('session-item').dataset.sessionKey).toBe(`-work-d/${SAME}`));
    } finally {
      delete window.__ccdeskErrors;
    }
  });
});
