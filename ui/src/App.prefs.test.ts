// The window restarted with the same preferences file: what the user chose is on screen again.
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import App from './App.svelte';
import { fakeApi } from './lib/__fixtures__/fakeApi';
import { fakePrefs } from './lib/__fixtures__/fakePrefs';
import { installLayout } from './lib/__fixtures__/layout';

installLayout();

const MYSTERY_SESSION = '-mystery/33333333-2222-4333-8444-555555555555';

function selectedProject(): string | undefined {
  return screen.getAllByTestId('project-item').find((p) => p.getAttribute('aria-current') === 'true')?.dataset.projectKey;
}

describe('App: the UI preferences across a restart', () => {
  it('the project and session opened are open again in a new window', async () => {
    const prefs = fakePrefs();
    const first = render(App, { api: fakeApi(), prefs });
    await waitFor(() => expect(screen.getAllByTestId('project-item')).toHaveLength(3));
    expect(selectedProject()).toBe('cwd:/home/dev/proj');
    await fireEvent.click(screen.getAllByTestId('project-item')[2]);
    await waitFor(() => expect(screen.getAllByTestId('session-item')).toHaveLength(1));
    await fireEvent.click(screen.getAllByTestId('session-item')[0]);
    await waitFor(() => expect(screen.getByTestId('transcript')).toBeTruthy());
    // closing the window saves what waits
    first.unmount();
    await waitFor(() => expect(prefs.saved).toMatchObject({ project: 'dir:-mystery', session: MYSTERY_SESSION }));

    render(App, { api: fakeApi(), prefs });
    await waitFor(() => expect(screen.getByTestId('transcript')).toBeTruthy());
    expect(selectedProject()).toBe('dir:-mystery');
    const open = screen.getAllByTestId('session-item').find((s) => s.getAttribute('aria-current') === 'true');
    expect(open?.dataset.sessionKey).toBe(MYSTERY_SESSION);
  });

  it('a notice dismissed stays dismissed in a new window', async () => {
    const notice = "ccdesk's session registry cannot be kept: no data dir on this system";
    const withNotice = () => {
      const api = fakeApi();
      api.mocks.appInfo.mockResolvedValue({ configDir: '/c', claude: { path: '/bin/claude', error: null }, version: '0.1.0', maxSessions: 8, profiles: [], notices: [notice] });
      return api;
    };
    const prefs = fakePrefs();
    const first = render(App, { api: withNotice(), prefs });
    await waitFor(() => expect(screen.getByTestId('notice').textContent).toBe(notice));
    await fireEvent.click(screen.getByTestId('notice-dismiss'));
    expect(screen.queryByTestId('notice-banner')).toBeNull();
    first.unmount();
    await waitFor(() => expect(prefs.saved).toMatchObject({ dismissedNotices: [notice] }));

    const api = withNotice();
    render(App, { api, prefs });
    await waitFor(() => expect(screen.getAllByTestId('project-item')).toHaveLength(3));
    // app_info (and its notices) is in
    await waitFor(() => expect(screen.getByTestId('app-info').textContent).toContain('/c'));
    expect(screen.queryByTestId('notice-banner')).toBeNull();
  });
});
