import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { summary } from '../lib/__fixtures__/data';
import { describe, expect, it, vi } from 'vitest';
import type { SwitcherItem } from '../lib/switcher';
import QuickSwitcher from './QuickSwitcher.svelte';

const items: SwitcherItem[] = [
  { kind: 'live', key: 'run-1', title: 'Busy one', subtitle: null, detail: 'streaming', lastActivityMs: 0 },
  { kind: 'session', key: 's-a', title: 'Fix the parser', subtitle: 'Parse errors in the index', detail: 'ccdesk', lastActivityMs: 3 },
  { kind: 'session', key: 's-b', title: 'Release notes', subtitle: null, detail: 'ccdesk', lastActivityMs: 2 },
  { kind: 'session', key: 's-c', title: 'Parser benchmarks', subtitle: null, detail: 'bench', lastActivityMs: 1 },
];

function open(list = items) {
  const onpick = vi.fn();
  const onclose = vi.fn();
  const r = render(QuickSwitcher, { items: list, onpick, onclose });
  return { ...r, onpick, onclose, input: screen.getByTestId('quick-switcher-input') as HTMLInputElement };
}

const selected = () => screen.getAllByTestId('quick-switcher-item').find((li) => li.getAttribute('aria-selected') === 'true');

describe('QuickSwitcher', () => {
  it('is a labelled modal combobox with its input focused and the first option active', () => {
    const { input } = open();
    expect(screen.getByRole('dialog').getAttribute('aria-modal')).toBe('true');
    expect(document.activeElement).toBe(input);
    expect(input.getAttribute('role')).toBe('combobox');
    expect(screen.getAllByRole('option')).toHaveLength(4);
    expect(input.getAttribute('aria-activedescendant')).toBe(selected()?.id);
    expect(selected()?.dataset.key).toBe('run-1');
    expect(selected()?.textContent).toContain('live · streaming');
  });

  it('arrows move the active option (not past either end) and Enter opens it', async () => {
    const { input, onpick } = open();
    await fireEvent.keyDown(input, { key: 'ArrowUp' });
    expect(selected()?.dataset.key).toBe('run-1');
    await fireEvent.keyDown(input, { key: 'ArrowDown' });
    await fireEvent.keyDown(input, { key: 'ArrowDown' });
    expect(selected()?.dataset.key).toBe('s-b');
    expect(input.getAttribute('aria-activedescendant')).toBe(selected()?.id);
    for (let i = 0; i < 5; i += 1) await fireEvent.keyDown(input, { key: 'ArrowDown' });
    expect(selected()?.dataset.key).toBe('s-c');
    await fireEvent.keyDown(input, { key: 'Enter' });
    expect(onpick).toHaveBeenCalledWith(items[3]);
  });

  it('typing filters by every word and puts the cursor back on the first match', async () => {
    const { input, onpick } = open();
    await fireEvent.keyDown(input, { key: 'ArrowDown' });
    await fireEvent.keyDown(input, { key: 'ArrowDown' });
    await fireEvent.input(input, { target: { value: 'parser' } });
    expect(screen.getAllByTestId('quick-switcher-item').map((li) => li.dataset.key)).toEqual(['s-a', 's-c']);
    expect(selected()?.dataset.key).toBe('s-a');
    await fireEvent.input(input, { target: { value: 'parser bench' } });
    await fireEvent.keyDown(input, { key: 'Enter' });
    expect(onpick).toHaveBeenCalledWith(items[3]);
  });

  it('shows the title a name hides, and finds the session by it', async () => {
    const { input } = open();
    expect(screen.getAllByTestId('quick-switcher-item')[1].textContent).toContain('Fix the parser · Parse errors in the index');
    await fireEvent.input(input, { target: { value: 'index errors' } });
    expect(screen.getAllByTestId('quick-switcher-item').map((li) => li.dataset.key)).toEqual(['s-a']);
  });

  it('with nothing matching, says so and Enter does nothing', async () => {
    const { input, onpick } = open();
    await fireEvent.input(input, { target: { value: 'zzz' } });
    expect(screen.queryAllByTestId('quick-switcher-item')).toHaveLength(0);
    expect(screen.getByTestId('quick-switcher').textContent).toContain('No session matches.');
    expect(input.getAttribute('aria-activedescendant')).toBeNull();
    await fireEvent.keyDown(input, { key: 'Enter' });
    expect(onpick).not.toHaveBeenCalled();
  });

  it('a list that shrinks under the cursor keeps an option active', async () => {
    const { input, rerender } = open();
    for (let i = 0; i < 3; i += 1) await fireEvent.keyDown(input, { key: 'ArrowDown' });
    expect(selected()?.dataset.key).toBe('s-c');
    await rerender({ items: items.slice(0, 2) });
    expect(selected()?.dataset.key).toBe('s-a');
  });

  it('a click opens an item; Esc closes from anywhere in the sheet, as does a click outside', async () => {
    const { onpick, onclose } = open();
    await fireEvent.click(screen.getAllByTestId('quick-switcher-item')[2]);
    expect(onpick).toHaveBeenCalledWith(items[2]);
    await fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' });
    expect(onclose).toHaveBeenCalledTimes(1);
    await fireEvent.click(screen.getByRole('dialog').parentElement as HTMLElement);
    expect(onclose).toHaveBeenCalledTimes(2);
  });
});

describe('QuickSwitcher: content hits', () => {
  const hit = (key: string, title: string, line: number, subagent: string | null = null) => ({
    session: summary({ id: key.split('/')[1], title }),
    hitCount: 4,
    score: 1,
    hits: [{ line, uuid: null, timestamp: null, kind: 'reply' as const, subagent, snippet: `about ${title}`, marks: [] }],
  });

  it('after the title matches, sessions whose transcripts hold the words; a pick opens the best hit', async () => {
    const search = vi.fn(async () => ({
      sessions: [hit('-w/s-a', 'Fix the parser', 3), hit('-w/deep', 'Deep session', 42), hit('-w/sub', 'With agents', 7, 'agent-1')],
      terms: ['parser'],
      truncated: false,
      partial: false,
    }));
    const onhit = vi.fn();
    // The title match `Fix the parser` is the same session as the first content hit.
    const list = items.map((i) => (i.key === 's-a' ? { ...i, key: summary({ id: 's-a' }).key } : i));
    render(QuickSwitcher, { items: list, onpick: vi.fn(), onclose: vi.fn(), search, onhit, debounceMs: 1 });
    const input = screen.getByTestId('quick-switcher-input') as HTMLInputElement;
    await fireEvent.input(input, { target: { value: 'parser' } });
    await waitFor(() => expect(screen.getAllByTestId('quick-switcher-item').filter((li) => li.dataset.kind === 'content')).toHaveLength(2));
    expect(search).toHaveBeenCalledWith('parser');
    const rows = screen.getAllByTestId('quick-switcher-item');
    // Title matches first (a session the titles list already is not repeated), then content.
    expect(rows.map((r) => r.dataset.kind)).toEqual(['session', 'session', 'content', 'content']);
    expect(rows[2].textContent).toContain('in transcript');
    await fireEvent.keyDown(input, { key: 'ArrowDown' });
    await fireEvent.keyDown(input, { key: 'ArrowDown' });
    await fireEvent.keyDown(input, { key: 'Enter' });
    expect(onhit).toHaveBeenLastCalledWith(expect.objectContaining({ title: 'Deep session' }), 42, ['parser']);
    await fireEvent.click(rows[3]);
    expect(onhit).toHaveBeenLastCalledWith(expect.objectContaining({ title: 'With agents' }), null, ['parser']);
  });

  it('short queries and failed searches leave the titles alone', async () => {
    const search = vi.fn(async () => {
      throw { kind: 'invalid_input', message: 'nothing to look for' };
    });
    render(QuickSwitcher, { items, onpick: vi.fn(), onclose: vi.fn(), search, onhit: vi.fn(), debounceMs: 1 });
    const input = screen.getByTestId('quick-switcher-input') as HTMLInputElement;
    await fireEvent.input(input, { target: { value: 'pa' } });
    await new Promise((r) => setTimeout(r, 10));
    expect(search).not.toHaveBeenCalled();
    await fireEvent.input(input, { target: { value: '-parser' } });
    await waitFor(() => expect(search).toHaveBeenCalled());
    await new Promise((r) => setTimeout(r, 10));
    expect(screen.queryAllByTestId('quick-switcher-item').every((li) => li.dataset.kind !== 'content')).toBe(true);
  });
});
