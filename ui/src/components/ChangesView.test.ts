import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { SessionChanges } from '../lib/types';
import ChangesView from './ChangesView.svelte';

const changes: SessionChanges = {
  added: 3,
  removed: 1,
  malformedLines: 0,
  turns: [
    {
      index: 1,
      timestamp: '2026-11-22T10:00:00.000Z',
      prompt: 'make a file',
      line: 0,
      uuid: 'u-1',
      files: [{ path: 'a.txt', added: 2, removed: 0, created: true, tools: ['Write'], diff: '--- /dev/null\n+++ b/a.txt\n@@ -0,0 +1,2 @@\n+one\n+two\n' }],
    },
    {
      index: 3,
      timestamp: '2026-11-22T10:05:00.000Z',
      prompt: 'change it',
      line: 9,
      uuid: 'u-3',
      files: [{ path: 'a.txt', added: 1, removed: 1, created: false, tools: ['Edit'], diff: '--- a/a.txt\n+++ b/a.txt\n@@ -1,2 +1,2 @@\n one\n-two\n+2\n' }],
    },
  ],
};

describe('ChangesView', () => {
  it('lists the turns that changed files; a file opens its diff; patches are copied', async () => {
    const copy = vi.fn();
    const onopenline = vi.fn();
    render(ChangesView, { title: 'S', load: async () => changes, copy, onopenline, onclose: vi.fn() });
    await waitFor(() => expect(screen.getAllByTestId('changes-turn')).toHaveLength(2));
    expect(screen.getByTestId('changes-total').textContent).toContain('+3');
    expect(screen.queryByTestId('changes-diff')).toBeNull();
    await fireEvent.click(screen.getAllByText('a.txt')[1]);
    const diff = await screen.findByTestId('changes-diff');
    expect(diff.querySelectorAll('.line.add')).toHaveLength(1);
    expect(diff.querySelectorAll('.line.del')).toHaveLength(1);
    await fireEvent.click(screen.getAllByTestId('copy-turn-patch')[0]);
    expect(copy).toHaveBeenLastCalledWith(changes.turns[0].files[0].diff, 'the patch of turn 1');
    await fireEvent.click(screen.getAllByTestId('copy-file-patch')[1]);
    expect(copy).toHaveBeenLastCalledWith(changes.turns[1].files[0].diff, 'a.txt');
    await fireEvent.click(screen.getAllByText('Show in transcript')[1]);
    expect(onopenline).toHaveBeenCalledWith(9);
  });

  it('says so when nothing changed, and why when it cannot read', async () => {
    render(ChangesView, { title: 'S', load: async () => ({ ...changes, turns: [] }), copy: vi.fn(), onclose: vi.fn() });
    await screen.findByTestId('changes-none');
  });

  it('a failed read says why', async () => {
    render(ChangesView, { title: 'S', load: () => Promise.reject({ kind: 'io', message: 'gone' }), copy: vi.fn(), onclose: vi.fn() });
    expect((await screen.findByTestId('changes-error')).textContent).toContain('gone');
  });

  it('has no rewind unless the session is live here and its CLI can rewind', async () => {
    render(ChangesView, { title: 'S', load: async () => changes, copy: vi.fn(), onclose: vi.fn() });
    await waitFor(() => expect(screen.getAllByTestId('changes-turn')).toHaveLength(2));
    expect(screen.queryByTestId('rewind-turn')).toBeNull();
  });

  it('rewinds a turn after a dry run says what would change; errors stay in the turn', async () => {
    const rewind = vi.fn(async (uuid: string, dryRun: boolean) => {
      if (uuid === 'u-1' && !dryRun) throw { kind: 'control_request_failed', message: 'Failed to rewind: busy' };
      return { dryRun, filesChanged: dryRun ? ['/p/a.txt'] : [], insertions: 1, deletions: 2 };
    });
    render(ChangesView, { title: 'S', load: async () => changes, copy: vi.fn(), rewind, onclose: vi.fn() });
    await waitFor(() => expect(screen.getAllByTestId('rewind-turn')).toHaveLength(2));
    await fireEvent.click(screen.getAllByTestId('rewind-turn')[1]);
    expect(rewind).toHaveBeenLastCalledWith('u-3', true);
    const state = await screen.findByTestId('rewind-state');
    await waitFor(() => expect(state.dataset.step).toBe('confirm'));
    expect(state.textContent).toContain('Rewind 1 file');
    expect(state.textContent).toContain('/p/a.txt');
    await fireEvent.click(screen.getByTestId('rewind-confirm'));
    expect(rewind).toHaveBeenLastCalledWith('u-3', false);
    await waitFor(() => expect(screen.getByTestId('rewind-state').dataset.step).toBe('done'));
    expect(screen.getByTestId('rewind-state').textContent).toContain('1 file put back');

    await fireEvent.click(screen.getAllByTestId('rewind-turn')[0]);
    await waitFor(() => expect(screen.getAllByTestId('rewind-state')[0].dataset.step).toBe('confirm'));
    await fireEvent.click(screen.getByTestId('rewind-confirm'));
    await waitFor(() => expect(screen.getAllByTestId('rewind-state')[0].dataset.step).toBe('error'));
    expect(screen.getAllByTestId('rewind-state')[0].textContent).toContain('busy');
    expect(screen.getAllByTestId('rewind-state')[1].dataset.step).toBe('done');
  });

  it('a confirmed rewind says why when the session stopped being rewindable meanwhile', async () => {
    const rewind = vi.fn(async (_uuid: string, dryRun: boolean) => ({ dryRun, filesChanged: ['/p/a.txt'], insertions: 0, deletions: 1 }));
    const { rerender } = render(ChangesView, { title: 'S', load: async () => changes, copy: vi.fn(), rewind, onclose: vi.fn() });
    await waitFor(() => expect(screen.getAllByTestId('rewind-turn')).toHaveLength(2));
    await fireEvent.click(screen.getAllByTestId('rewind-turn')[0]);
    await waitFor(() => expect(screen.getByTestId('rewind-state').dataset.step).toBe('confirm'));
    await rerender({ rewind: null });
    await fireEvent.click(screen.getByTestId('rewind-confirm'));
    await waitFor(() => expect(screen.getByTestId('rewind-state').dataset.step).toBe('error'));
    expect(screen.getByTestId('rewind-state').textContent).toContain('no longer live');
    expect(rewind).toHaveBeenCalledTimes(1);
  });
});
