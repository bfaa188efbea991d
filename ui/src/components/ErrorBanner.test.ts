import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { describeError } from '../lib/errors';
import ErrorBanner from './ErrorBanner.svelte';

describe('ErrorBanner', () => {
  it('shows a message and its hint as separate lines', () => {
    const m = describeError({ kind: 'claude_not_found', message: 'cannot find the claude CLI; tried: /home/dev/.claude/local/claude' });
    render(ErrorBanner, { messages: [m] });
    const li = screen.getByTestId('error-banner').querySelector('li')!;
    expect(li.textContent).toBe(m);
    expect(li.textContent).toContain('local/claude\nInstall');
  });

  it('renders nothing without messages', () => {
    render(ErrorBanner, { messages: [] });
    expect(screen.queryByTestId('error-banner')).toBeNull();
  });
});
