import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AgentListing } from '../lib/types';
import CliAgents from './CliAgents.svelte';

const listing: AgentListing = {
  offered: true,
  skipped: 0,
  cliVersion: '2.1.330 (Claude Code)',
  agents: [
    { pid: 12870, cwd: '/tmp/live project', kind: 'interactive', startedAt: 1_000, sessionId: 's-1', name: 'live-project-f2', status: 'waiting', waitingFor: 'input needed', activity: 'needsInput' },
    { pid: 12871, id: 'k3m9', cwd: '/src', kind: 'background', startedAt: 2_000, sessionId: 's-2', status: 'busy', state: 'working', activity: 'working' },
    { id: 'done1', cwd: '/src', kind: 'background', state: 'done', activity: 'completed' },
    { cwd: '/x', kind: 'interactive', name: '<img src=x onerror=alert(1)>', activity: 'unknown' },
  ],
};

afterEach(() => vi.useRealTimers());

describe('CliAgents', () => {
  it('lists what the CLI reports with its activity; a session opens by its id; names are text', async () => {
    const onopen = vi.fn();
    const { container } = render(CliAgents, { load: async () => listing, onopen, now: 61_000 });
    await waitFor(() => expect(screen.getAllByTestId('cli-agent')).toHaveLength(4));
    const rows = screen.getAllByTestId('cli-agent');
    expect(rows.map((r) => r.dataset.activity)).toEqual(['needsInput', 'working', 'completed', 'unknown']);
    expect(rows[0].textContent).toContain('needs input');
    expect(rows[0].textContent).toContain('(input needed)');
    expect(rows[0].textContent).toContain('terminal');
    expect(rows[1].textContent).toContain('background job');
    expect(rows[2].textContent).toContain('completed');
    expect(container.querySelector('img')).toBeNull();
    expect(rows[3].textContent).toContain('<img src=x onerror=alert(1)>');
    expect(rows[2].querySelector('[data-testid="cli-agent-open"]')).toBeNull();
    await fireEvent.click(rows[1].querySelector('[data-testid="cli-agent-open"]')!);
    expect(onopen).toHaveBeenCalledWith('s-2');
  });

  it('says when the CLI is too old to list its sessions', async () => {
    render(CliAgents, { load: async () => ({ offered: false, agents: [], skipped: 0, cliVersion: '2.1.112 (Claude Code)' }), onopen: vi.fn() });
    expect((await screen.findByTestId('cli-agents-not-offered')).textContent).toContain('2.1.112');
  });

  it('says so when nothing runs', async () => {
    render(CliAgents, { load: async () => ({ ...listing, agents: [] }), onopen: vi.fn() });
    await screen.findByTestId('cli-agents-none');
  });

  it('asks again while shown, and a failure says why', async () => {
    vi.useFakeTimers();
    const load = vi.fn<() => Promise<AgentListing>>().mockRejectedValueOnce({ kind: 'control_request_failed', message: 'it hung' }).mockResolvedValue(listing);
    const { unmount } = render(CliAgents, { load, onopen: vi.fn(), everyMs: 1000 });
    await vi.waitFor(() => expect(screen.getByTestId('cli-agents-error').textContent).toContain('it hung'));
    await vi.advanceTimersByTimeAsync(1000);
    await vi.waitFor(() => expect(screen.getAllByTestId('cli-agent')).toHaveLength(4));
    expect(screen.queryByTestId('cli-agents-error')).toBeNull();
    unmount();
    const calls = load.mock.calls.length;
    await vi.advanceTimersByTimeAsync(5000);
    expect(load.mock.calls.length).toBe(calls);
  });
});
