import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import NoticeBanner from './NoticeBanner.svelte';

describe('NoticeBanner', () => {
  it('shows each notice as a status (not an alert) and dismisses on click', async () => {
    const ondismiss = vi.fn();
    render(NoticeBanner, { messages: ['the session registry could not be read; starting a new one', 'second'], ondismiss });
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
    render(NoticeBanner, { messages: [], ondismiss: () => {} });
    expect(screen.queryByTestId('notice-banner')).toBeNull();
  });
});
