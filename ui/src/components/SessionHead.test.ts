import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { NOW, missingDir, summary } from '../lib/__fixtures__/data';
import SessionHead from './SessionHead.svelte';

describe('SessionHead', () => {
  it('offers "Open in terminal" and "Copy command" for a session that resumes, not for one that cannot', async () => {
    const onterminal = vi.fn();
    const oncopycommand = vi.fn();
    const { unmount } = render(SessionHead, { session: summary(), now: NOW, onterminal, oncopycommand });
    await fireEvent.click(screen.getByTestId('open-in-terminal'));
    await fireEvent.click(screen.getByTestId('copy-command'));
    expect(onterminal).toHaveBeenCalledOnce();
    expect(oncopycommand).toHaveBeenCalledOnce();
    unmount();
    render(SessionHead, { session: missingDir, now: NOW, onterminal, oncopycommand });
    expect(screen.queryByTestId('open-in-terminal')).toBeNull();
  });

  it('shows the name with the title under it, and the runs at the side', () => {
    render(SessionHead, {
      session: summary(),
      name: 'Release notes',
      runs: [{ runId: 'r1', startedAtMs: NOW - 60_000, updatedAtMs: NOW, state: 'closed', turns: 2, costUsd: 0.02 }],
      now: NOW,
    });
    expect(screen.getByTestId('session-heading').textContent).toBe('Release notes');
    expect(screen.getByTestId('session-heading-title').textContent).toBe('Say hello');
    expect(screen.getByTestId('session-head').textContent).toContain(summary().id);
    expect(screen.getAllByTestId('run-history-item')).toHaveLength(1);
  });

  it('shows the title alone without a name, and no history for a session never run here', () => {
    render(SessionHead, { session: summary({ title: '' }), now: NOW });
    expect(screen.getByTestId('session-heading').textContent).toBe('(untitled)');
    expect(screen.queryByTestId('session-heading-title')).toBeNull();
    expect(screen.queryByTestId('run-history')).toBeNull();
  });
});
