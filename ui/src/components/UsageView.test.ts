import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { usageReport } from '../lib/__fixtures__/data';
import type { UsageBy } from '../lib/types';
import UsageView from './UsageView.svelte';

function open(load = vi.fn(async (by: UsageBy) => usageReport(by))) {
  const onclose = vi.fn();
  render(UsageView, { load, onclose });
  return { load, onclose };
}

describe('UsageView', () => {
  it('shows the totals and a row per day, oldest first, and says what is not priced', async () => {
    const { load } = open();
    await waitFor(() => expect(screen.getAllByTestId('usage-row')).toHaveLength(2));
    expect(load).toHaveBeenCalledWith('day', null, null);
    expect(screen.getAllByTestId('usage-row').map((r) => r.dataset.key)).toEqual(['2026-11-20', '2026-11-21']);
    const total = screen.getByTestId('usage-total').textContent ?? '';
    expect(total).toContain('$1.75');
    expect(total).toMatch(/1,?670 tokens/);
    expect(screen.getByTestId('usage-unpriced').textContent).toContain('1 messages');
    expect(screen.getByTestId('usage-source').textContent).toContain('2025-11-24');
    expect(screen.getByTestId('usage-chart')).toBeTruthy();
  });

  it('groups by session or project and between days, asking again; labels are text', async () => {
    const { load } = open();
    await waitFor(() => expect(screen.getAllByTestId('usage-row')).toHaveLength(2));
    await fireEvent.change(screen.getByTestId('usage-by'), { target: { value: 'session' } });
    await waitFor(() => expect(load).toHaveBeenLastCalledWith('session', null, null));
    await waitFor(() => expect(screen.queryByTestId('usage-chart')).toBeNull());
    const labels = screen.getAllByTestId('usage-row').map((r) => r.querySelector('td')?.textContent);
    expect(labels).toEqual(['/home/dev/proj', '/home/dev/<b>other</b>']);
    expect(document.querySelector('[data-testid="usage-view"] b')).toBeNull();
    await fireEvent.input(screen.getByTestId('usage-since'), { target: { value: '2026-11-21' } });
    await waitFor(() => expect(load).toHaveBeenLastCalledWith('session', '2026-11-21', null));
  });

  it('a failed read says why; Esc closes', async () => {
    const { onclose } = open(vi.fn(async () => Promise.reject({ kind: 'invalid_input', message: 'bad day' })));
    await waitFor(() => expect(screen.getByTestId('usage-error').textContent).toContain('bad day'));
    await fireEvent.keyDown(screen.getByTestId('usage-error'), { key: 'Escape' });
    expect(onclose).toHaveBeenCalled();
  });
});
