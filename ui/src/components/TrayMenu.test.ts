import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { TrayMenu as Menu } from '../lib/types';
import TrayMenu from './TrayMenu.svelte';

const model: Menu = {
  items: [
    { kind: 'header', label: 'Running' },
    { kind: 'action', label: 'Fix the parser — Streaming', action: { kind: 'openLive', runId: 'r1' }, enabled: true },
    { kind: 'separator' },
    { kind: 'submenu', label: '~/work/ccdesk', items: [{ kind: 'action', label: 'Release notes', action: { kind: 'resume', sessionId: 's1' }, enabled: true }] },
    { kind: 'action', label: 'Nothing to resume', action: { kind: 'showWindow' }, enabled: false },
    { kind: 'action', label: 'Quit', action: { kind: 'quit' }, enabled: true },
  ],
  tooltip: 'ccdesk — 1 running',
};

async function open() {
  const onaction = vi.fn();
  render(TrayMenu, { load: async () => model, onaction });
  await fireEvent.click(screen.getByTestId('tray-menu-button'));
  await waitFor(() => expect(screen.getAllByRole('menuitem')).toHaveLength(4));
  return { onaction };
}

const focused = () => (document.activeElement as HTMLElement | null)?.textContent?.trim();

describe('TrayMenu', () => {
  it('opens on the first item; the arrows, Home and End move over the enabled items, wrapping', async () => {
    await open();
    const button = screen.getByTestId('tray-menu-button');
    expect(button.getAttribute('aria-expanded')).toBe('true');
    await waitFor(() => expect(focused()).toBe('Fix the parser — Streaming'));
    const menu = screen.getByRole('menu', { name: 'Quick resume' });
    await fireEvent.keyDown(menu, { key: 'ArrowDown' });
    expect(focused()).toBe('Release notes');
    await fireEvent.keyDown(menu, { key: 'ArrowDown' });
    expect(focused()).toBe('Quit');
    await fireEvent.keyDown(menu, { key: 'ArrowDown' });
    expect(focused()).toBe('Fix the parser — Streaming');
    await fireEvent.keyDown(menu, { key: 'ArrowUp' });
    expect(focused()).toBe('Quit');
    await fireEvent.keyDown(menu, { key: 'Home' });
    expect(focused()).toBe('Fix the parser — Streaming');
    await fireEvent.keyDown(menu, { key: 'End' });
    expect(focused()).toBe('Quit');
  });

  it('a click sends the action and closes the menu', async () => {
    const { onaction } = await open();
    await fireEvent.click(screen.getByRole('menuitem', { name: 'Release notes' }));
    expect(onaction).toHaveBeenCalledWith({ kind: 'resume', sessionId: 's1' });
    expect(screen.queryByRole('menu')).toBeNull();
  });

  it('Esc closes it and gives the focus back to its button', async () => {
    const { onaction } = await open();
    await fireEvent.keyDown(screen.getByRole('menu'), { key: 'Escape' });
    expect(screen.queryByRole('menu')).toBeNull();
    expect(document.activeElement).toBe(screen.getByTestId('tray-menu-button'));
    expect(onaction).not.toHaveBeenCalled();
  });

  it('a click elsewhere closes it', async () => {
    const { onaction } = await open();
    await fireEvent.click(document.body);
    expect(screen.queryByRole('menu')).toBeNull();
    expect(onaction).not.toHaveBeenCalled();
  });

  it('a menu that cannot be read says why', async () => {
    render(TrayMenu, { load: async () => Promise.reject({ kind: 'internal', message: 'no index yet' }), onaction: vi.fn() });
    await fireEvent.click(screen.getByTestId('tray-menu-button'));
    await waitFor(() => expect(screen.getByTestId('tray-menu').textContent).toContain('no index yet'));
  });
});
