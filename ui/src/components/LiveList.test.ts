import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { LiveEntry } from '../lib/stores/live.svelte';
import { sessionInfo } from '../lib/__fixtures__/data';
import LiveList from './LiveList.svelte';

const entry = (runId: string, state: string, title: string): LiveEntry => ({
  key: `k-${runId}`, runId, info: sessionInfo({ runId, state: state as never }), run: null, title, state,
});
const totals = { live: 2, byState: { ready: 1, waitingForPermission: 1 }, maxSessions: 8, totalCreated: 4 };

describe('LiveList', () => {
  it('lists each live session with its state; the selected one is marked; a click opens it', async () => {
    const onopen = vi.fn();
    render(LiveList, {
      entries: [entry('a', 'waitingForPermission', 'Fix the build'), entry('b', 'ready', 'proj')],
      totals,
      active: 'k-b',
      onopen,
      onpool: () => {},
    });
    const items = screen.getAllByTestId('live-item');
    expect(items.map((i) => within(i).getByTestId('live-state').textContent)).toEqual(['waiting for permission', 'ready']);
    expect(items[0].textContent).toContain('Fix the build');
    expect(items[1].getAttribute('aria-current')).toBe('true');
    expect(items[0].getAttribute('aria-current')).toBeNull();
    await fireEvent.click(items[0]);
    expect(onopen).toHaveBeenCalledWith('k-a');
  });

  it('the heading tells live of max and opens the pool view', async () => {
    const onpool = vi.fn();
    render(LiveList, { entries: [], totals, onopen: () => {}, onpool });
    expect(screen.getByTestId('open-pool-view').textContent).toContain('2 of 8 live');
    expect(screen.getByText('No live sessions.')).toBeTruthy();
    await fireEvent.click(screen.getByTestId('open-pool-view'));
    expect(onpool).toHaveBeenCalled();
  });
});
