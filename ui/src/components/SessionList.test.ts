import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { NOW, missingDir, summary } from '../lib/__fixtures__/data';
import SessionList from './SessionList.svelte';

describe('SessionList', () => {
  it('shows title, relative time, branch and resumability', async () => {
    const onselect = vi.fn();
    render(SessionList, { sessions: [summary(), missingDir], selected: missingDir.id, now: NOW, onselect });
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
    expect(onselect).toHaveBeenCalledWith(summary().id);
  });

  it('keeps the not-resumable badge short: the reason is in its tooltip and hidden text', () => {
    render(SessionList, { sessions: [summary(), missingDir], selected: null, now: NOW, onselect: () => {} });
    const [ok, badge] = screen.getAllByTestId('resumability-badge');
    expect(ok.getAttribute('title')).toBeNull();
    expect(badge.getAttribute('title')).toBe('The project folder /gone/away no longer exists');
    const hidden = badge.querySelector('.sr-only');
    expect(hidden?.textContent).toBe(': The project folder /gone/away no longer exists');
    // what shows on screen is the badge without its visually hidden part
    expect(badge.firstChild?.textContent).toBe('not resumable');
    expect(badge.classList.contains('warn')).toBe(true);
  });

  it('names untitled sessions', () => {
    render(SessionList, { sessions: [summary({ title: '' })], selected: null, now: NOW, onselect: () => {} });
    expect(screen.getByTestId('session-title').textContent).toBe('(untitled)');
  });
});
