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
      files: [{ path: 'a.txt', added: 2, removed: 0, created: true, tools: ['Write'], diff: '--- /dev/null\n+++ b/a.txt\n@@ -0,0 +1,2 @@\n+one\n+two\n' }],
    },
    {
      index: 3,
      timestamp: '2026-11-22T10:05:00.000Z',
      prompt: 'change it',
      line: 9,
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
});
