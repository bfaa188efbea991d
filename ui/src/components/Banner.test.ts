import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { describeError } from '../lib/errors';
import Banner from './Banner.svelte';

describe('Banner: errors', () => {
  it('shows a message and its hint as separate lines, as an alert', () => {
    const m = describeError({ kind: 'claude_not_found', message: 'cannot find the claude CLI; tried: /home/dev/.claude/local/claude' });
    render(Banner, { messages: [m] });
    const banner = screen.getByTestId('error-banner');
    expect(banner.getAttribute('role')).toBe('alert');
    const li = banner.querySelector('li')!;
    expect(li.textContent).toBe(m);
    expect(li.textContent).toContain('local/claude\nInstall');
    expect(screen.queryByLabelText('Dismiss')).toBeNull();
  });

  it('renders nothing without messages', () => {
    render(Banner, { messages: [] });
    expect(screen.queryByTestId('error-banner')).toBeNull();
  });
});

describe('Banner: notices', () => {
  it('shows each notice as a status (not an alert) and dismisses on click', async () => {
    const ondismiss = vi.fn();
    render(Banner, { variant: 'notice', messages: ['the session registry could not be read; starting a new one', 'second'], ondismiss });
    const banner = screen.getByTestId('notice-banner');
    expect(banner.getAttribute('role')).toBe('status');
    expect(screen.getAllByTestId('notice').map((n) => n.textContent)).toEqual([
      'the session registry could not be read; starting a new one',
      'second',
    ]);
    await fireEvent.click(screen.getByTestId('notice-dismiss'));
    expect(ondismiss).toHaveBeenCalledTimes(1);
  });

  it('renders nothing without notices', () => {
    render(Banner, { variant: 'notice', messages: [], ondismiss: () => {} });
    expect(screen.queryByTestId('notice-banner')).toBeNull();
  });
});
