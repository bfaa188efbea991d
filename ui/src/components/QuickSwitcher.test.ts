import { fireEvent, render, screen } from '@testing-library/svelte';
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
