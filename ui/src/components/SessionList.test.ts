import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { NOW, missingDir, summary } from '../lib/__fixtures__/data';
import type { Registry, RegistryEntry } from '../lib/types';
import type { ComponentProps } from 'svelte';
import SessionList from './SessionList.svelte';
import { installLayout } from '../lib/__fixtures__/layout';

installLayout();

/** Renders the list and waits for its rows (the virtual list lays out after a microtask). */
async function show(props: ComponentProps<typeof SessionList>) {
  const r = render(SessionList, props);
  await waitFor(() => expect(screen.queryAllByTestId('session-row').length).toBeGreaterThan(0));
  return r;
}

const entry = (over: Partial<RegistryEntry>): RegistryEntry => ({ name: null, pinned: false, cwd: null, lastState: null, lastRunAtMs: 0, history: [], ...over });
const three = () => [summary({ id: 'a', title: 'First' }), summary({ id: 'b', title: 'Second' }), summary({ id: 'c', title: 'Third' })];
const ids = () => screen.getAllByTestId('session-item').map((el) => el.dataset.sessionId);
const itemOf = (id: string) => screen.getAllByTestId('session-item').find((el) => el.dataset.sessionId === id)!;
const buttonOf = (testid: string, id: string) => screen.getAllByTestId(testid).find((el) => el.dataset.sessionId === id)!;

describe('SessionList', () => {
  it('names the config dir of each session when several are listed', async () => {
    const sessions = [summary({ id: 'a', title: 'Home' }), summary({ id: 'b', key: '@work/-home-dev-proj/b', title: 'Work', profile: 'work' })];
    await show({ sessions, selected: null, now: NOW, onselect: vi.fn(), profileOf: (s) => s.profile ?? 'personal' });
    expect(within(itemOf('a')).getByTestId('profile-badge').textContent).toBe('personal');
    expect(within(itemOf('b')).getByTestId('profile-badge').textContent).toBe('work');
  });

  it('marks a session written moments ago by something other than ccdesk as written elsewhere', async () => {
    const sessions = [
      summary({ id: 'a', title: 'Terminal', lastActivityMs: NOW - 20_000 }),
      summary({ id: 'b', title: 'Old', lastActivityMs: NOW - 3_600_000 }),
      summary({ id: 'c', title: 'Ours', lastActivityMs: NOW - 20_000 }),
    ];
    const registry = { sessions: { c: entry({ history: [{ runId: 'r', startedAtMs: NOW - 60_000, updatedAtMs: NOW - 19_000, state: 'closed', turns: 1, costUsd: null }] }) } } as unknown as Registry;
    await show({ sessions, selected: null, now: NOW, registry, onselect: vi.fn() });
    expect(within(itemOf('a')).getByTestId('elsewhere-badge').textContent).toBe('written elsewhere');
    expect(within(itemOf('b')).queryByTestId('elsewhere-badge')).toBeNull();
    expect(within(itemOf('c')).queryByTestId('elsewhere-badge')).toBeNull();
  });

  it('shows no config dir when only one is listed', async () => {
    await show({ sessions: three(), selected: null, now: NOW, onselect: vi.fn() });
    expect(screen.queryAllByTestId('profile-badge')).toHaveLength(0);
  });

  it('shows title, relative time, branch and resumability', async () => {
    const onselect = vi.fn();
    await show({ sessions: [summary(), missingDir], selected: missingDir.key, now: NOW, onselect });
    const items = screen.getAllByTestId('session-item');
    expect(items[0].textContent).toContain('3 h ago');
    expect(items[0].textContent).toContain('main');
    expect(items[1].textContent).toContain('2 d ago');
    expect(items[1].getAttribute('aria-current')).toBe('true');
    const badges = screen.getAllByTestId('resumability-badge');
    expect(badges.map((b) => b.textContent?.trim())).toEqual([
      'resumable',
      'not resumable: The project folder /gone/away no longer exists',
    ]);
    await fireEvent.click(items[0]);
    expect(onselect).toHaveBeenCalledWith(summary().key);
  });

  it('keeps the not-resumable badge short: the reason is in its tooltip and hidden text', async () => {
    await show({ sessions: [summary(), missingDir], selected: null, now: NOW, onselect: () => {} });
    const [ok, badge] = screen.getAllByTestId('resumability-badge');
    expect(ok.getAttribute('title')).toBeNull();
    expect(badge.getAttribute('title')).toBe('The project folder /gone/away no longer exists');
    const hidden = badge.querySelector('.sr-only');
    expect(hidden?.textContent).toBe(': The project folder /gone/away no longer exists');
    // what shows on screen is the badge without its visually hidden part
    expect(badge.firstChild?.textContent).toBe('not resumable');
    expect(badge.classList.contains('warn')).toBe(true);
  });

  it('flags sessions the CLI deletes within seven days, and only those', async () => {
    const day = 86_400_000;
    await show({
      sessions: [
        summary({ id: 'a', expiresAt: NOW + 3 * day - 1000 }),
        summary({ id: 'b', expiresAt: NOW + 20 * day }),
        summary({ id: 'c', expiresAt: NOW - 1 }),
        summary({ id: 'd', expiresAt: null }),
      ],
      selected: null,
      now: NOW,
      onselect: () => {},
    });
    const badges = screen.getAllByTestId('expiry-badge');
    expect(badges.map((b) => b.closest('[data-session-id]')?.getAttribute('data-session-id'))).toEqual(['a', 'c']);
    expect(badges.map((b) => b.textContent)).toEqual(['deleted by the CLI in 3 days', 'deleted when the CLI next starts']);
  });

  it('names untitled sessions', async () => {
    await show({ sessions: [summary({ title: '' })], selected: null, now: NOW, onselect: () => {} });
    expect(screen.getByTestId('session-title').textContent).toBe('(untitled)');
  });

  it('shows a name instead of the title, with the title as secondary text, and pinned sessions first', async () => {
    const registry: Registry = { version: 1, sessions: { c: entry({ pinned: true }), b: entry({ name: 'Release notes' }) } };
    await show({ sessions: three(), selected: null, registry, now: NOW, onselect: () => {}, onpin: () => {}, onrename: () => true });
    expect(ids()).toEqual(['c', 'a', 'b']);
    expect(itemOf('c').dataset.pinned).toBe('true');
    expect(within(itemOf('b')).getByTestId('session-title').textContent).toBe('Release notes');
    expect(within(itemOf('b')).getByTestId('session-subtitle').textContent).toBe('Second');
    expect(within(itemOf('a')).getByTestId('session-title').textContent).toBe('First');
    expect(within(itemOf('a')).queryByTestId('session-subtitle')).toBeNull();
    const pin = buttonOf('session-pin', 'c');
    expect(pin.getAttribute('aria-pressed')).toBe('true');
    expect(buttonOf('session-pin', 'a').getAttribute('aria-pressed')).toBe('false');
  });

  it('the pin toggle asks to pin an unpinned session and to unpin a pinned one', async () => {
    const onpin = vi.fn();
    const onselect = vi.fn();
    const registry: Registry = { version: 1, sessions: { c: entry({ pinned: true }) } };
    await show({ sessions: three(), selected: null, registry, now: NOW, onselect, onpin });
    await fireEvent.click(buttonOf('session-pin', 'b'));
    await fireEvent.click(buttonOf('session-pin', 'c'));
    expect(onpin.mock.calls).toEqual([['b', true], ['c', false]]);
    expect(onselect).not.toHaveBeenCalled();
    // without a rename handler there is no rename action
    expect(screen.queryAllByTestId('session-rename')).toHaveLength(0);
  });

  it('renames in place: the field starts with the current name, Enter saves the trimmed name', async () => {
    const onrename = vi.fn(async () => true);
    const registry: Registry = { version: 1, sessions: { b: entry({ name: 'Old name' }) } };
    await show({ sessions: three(), selected: null, registry, now: NOW, onselect: () => {}, onrename });
    await fireEvent.click(buttonOf('session-rename', 'b'));
    const input = screen.getByTestId('session-rename-input') as HTMLInputElement;
    expect(input.value).toBe('Old name');
    expect(document.activeElement).toBe(input);
    expect(screen.queryAllByTestId('session-item').map((el) => el.dataset.sessionId)).toEqual(['a', 'c']);
    await fireEvent.input(input, { target: { value: '  New name  ' } });
    await fireEvent.submit(input.form!);
    expect(onrename).toHaveBeenCalledWith('b', 'New name');
    await waitFor(() => expect(screen.queryByTestId('session-rename-input')).toBeNull());
    expect(ids()).toEqual(['a', 'b', 'c']);
    expect(document.activeElement).toBe(buttonOf('session-rename', 'b'));
  });

  it('an empty name removes the name; the title confirmed as it is stores nothing', async () => {
    const onrename = vi.fn(async () => true);
    const registry: Registry = { version: 1, sessions: { b: entry({ name: 'Old name' }) } };
    await show({ sessions: three(), selected: null, registry, now: NOW, onselect: () => {}, onrename });
    await fireEvent.click(buttonOf('session-rename', 'b'));
    await fireEvent.input(screen.getByTestId('session-rename-input'), { target: { value: '   ' } });
    await fireEvent.click(screen.getByTestId('session-rename-save'));
    expect(onrename).toHaveBeenCalledWith('b', '');
    await waitFor(() => expect(screen.queryByTestId('session-rename-input')).toBeNull());
    // "First" has no name: its field starts with the title, and saving it as is changes nothing
    await fireEvent.click(buttonOf('session-rename', 'a'));
    const input = screen.getByTestId('session-rename-input') as HTMLInputElement;
    expect(input.value).toBe('First');
    await fireEvent.submit(input.form!);
    expect(onrename).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(screen.queryByTestId('session-rename-input')).toBeNull());
  });

  it('Esc cancels the rename and goes no further (the interrupt shortcut never sees it)', async () => {
    const onrename = vi.fn(async () => true);
    const seen = vi.fn();
    window.addEventListener('keydown', seen);
    try {
      await show({ sessions: three(), selected: null, now: NOW, onselect: () => {}, onrename });
      await fireEvent.click(buttonOf('session-rename', 'c'));
      const input = screen.getByTestId('session-rename-input');
      await fireEvent.input(input, { target: { value: 'never saved' } });
      await fireEvent.keyDown(input, { key: 'Escape' });
      expect(screen.queryByTestId('session-rename-input')).toBeNull();
      expect(onrename).not.toHaveBeenCalled();
      expect(seen).not.toHaveBeenCalled();
      expect(within(itemOf('c')).getByTestId('session-title').textContent).toBe('Third');
    } finally {
      window.removeEventListener('keydown', seen);
    }
  });

  it('a refused rename keeps the field open with what was typed', async () => {
    const onrename = vi.fn(async () => false);
    await show({ sessions: three(), selected: null, now: NOW, onselect: () => {}, onrename });
    await fireEvent.click(buttonOf('session-rename', 'a'));
    await fireEvent.input(screen.getByTestId('session-rename-input'), { target: { value: 'Kept' } });
    await fireEvent.click(screen.getByTestId('session-rename-save'));
    expect(onrename).toHaveBeenCalledWith('a', 'Kept');
    const input = screen.getByTestId('session-rename-input') as HTMLInputElement;
    expect(input.value).toBe('Kept');
    expect(input.disabled).toBe(false);
    await fireEvent.click(screen.getByTestId('session-rename-cancel'));
    expect(screen.queryByTestId('session-rename-input')).toBeNull();
  });
});

describe('SessionList: many sessions', () => {
  it('a project of 10,000 sessions renders only the rows in sight, quickly, and selects by key', async () => {
    installLayout(600);
    try {
      const many = Array.from({ length: 10_000 }, (_, i) => summary({ id: `s-${i}`, title: `Session ${i}` }));
      const onselect = vi.fn();
      const started = performance.now();
      await show({ sessions: many, selected: many[0].key, now: NOW, onselect, onpin: () => {}, onrename: () => true });
      const took = performance.now() - started;
      const rows = screen.getAllByTestId('session-row');
      expect(rows.length).toBeGreaterThan(5);
      expect(rows.length).toBeLessThan(80);
      expect(took).toBeLessThan(5_000);
      await fireEvent.click(screen.getAllByTestId('session-item')[1]);
      expect(onselect).toHaveBeenCalledWith(many[1].key);
    } finally {
      installLayout();
    }
  });
});
