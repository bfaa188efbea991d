import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { NOW } from '../lib/__fixtures__/data';
import type { RunRecord } from '../lib/types';
import RunHistory from './RunHistory.svelte';

const MIN = 60_000;
const run = (runId: string, agoMs: number, over: Partial<RunRecord> = {}): RunRecord => ({
  runId,
  startedAtMs: NOW - agoMs,
  updatedAtMs: NOW - agoMs + 30_000,
  state: 'closed',
  turns: 1,
  costUsd: 0.0123,
  ...over,
});

describe('RunHistory', () => {
  it('lists each run: when, state, turns and cost, in the order given', () => {
    render(RunHistory, {
      runs: [run('r2', 5 * MIN, { state: 'failed', turns: 0, costUsd: 0 }), run('r1', 3 * 60 * MIN, { state: 'ready', turns: 3, costUsd: 1.5 })],
      now: NOW,
    });
    const history = screen.getByTestId('run-history');
    expect(history.querySelector('h3')?.textContent).toBe('Runs through ccdesk (2)');
    const items = within(history).getAllByTestId('run-history-item');
    expect(items.map((i) => i.dataset.runId)).toEqual(['r2', 'r1']);
    const row = (i: number, id: string) => within(items[i]).getByTestId(id).textContent;
    expect([row(0, 'run-history-when'), row(0, 'run-history-state'), row(0, 'run-history-turns'), row(0, 'run-history-cost')]).toEqual([
      '5 min ago',
      'failed',
      '0 turns',
      '$0.0000',
    ]);
    expect([row(1, 'run-history-when'), row(1, 'run-history-state'), row(1, 'run-history-turns'), row(1, 'run-history-cost')]).toEqual([
      '3 h ago',
      'ready',
      '3 turns',
      '$1.50',
    ]);
    expect(within(items[1]).getByTestId('run-history-turns').textContent).toBe('3 turns');
    expect(within(items[0]).getByTestId('run-history-when').getAttribute('title')).toContain('(failed)');
  });

  it('shows the newest few, the rest on demand', async () => {
    const runs = Array.from({ length: 7 }, (_, i) => run(`r${i}`, i * MIN, { turns: 1 }));
    render(RunHistory, { runs, now: NOW, limit: 5 });
    expect(screen.getAllByTestId('run-history-item')).toHaveLength(5);
    const more = screen.getByTestId('run-history-more');
    expect(more.textContent?.trim()).toBe('Show all 7');
    await fireEvent.click(more);
    expect(screen.getAllByTestId('run-history-item').map((i) => i.dataset.runId)).toEqual(runs.map((r) => r.runId));
    expect(more.getAttribute('aria-expanded')).toBe('true');
    await fireEvent.click(more);
    expect(screen.getAllByTestId('run-history-item')).toHaveLength(5);
  });

  it('renders nothing for a session never run through ccdesk', () => {
    render(RunHistory, { runs: [], now: NOW });
    expect(screen.queryByTestId('run-history')).toBeNull();
  });
});
