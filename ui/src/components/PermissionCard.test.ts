import { fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { permissionRequest } from '../lib/__fixtures__/data';
import { setPermissionCardArmMs } from '../lib/permissions';
import PermissionCard from './PermissionCard.svelte';

describe('PermissionCard', () => {
  // These click a card as soon as it shows; the pause after it appears has a test of its own.
  beforeEach(() => setPermissionCardArmMs(0));
  afterEach(() => setPermissionCardArmMs(400));

  it('a file change: the path and the diff, - and + lines marked, all as text', () => {
    const request = permissionRequest({
      toolName: 'Edit',
      displayName: 'Edit',
      preview: { kind: 'fileChange', filePath: '/p/a.html', diff: '-<b>old</b>\n+<img src=x onerror="window.__pwned=1">\n' },
    });
    render(PermissionCard, { request, onanswer: () => {} });
    expect(screen.getByTestId('permission-tool').textContent).toBe('Edit');
    expect(screen.getByTestId('permission-path').textContent).toBe('/p/a.html');
    const diff = screen.getByTestId('permission-diff');
    const lines = [...diff.querySelectorAll('.line')];
    expect(lines.map((l) => [l.getAttribute('data-sign'), l.classList.contains('del'), l.classList.contains('add')])).toEqual([
      ['-', true, false],
      ['+', false, true],
    ]);
    expect(lines[1].textContent).toBe('+<img src=x onerror="window.__pwned=1">');
    expect(diff.querySelector('img, b')).toBeNull();
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
  });

  it('a command with its description; a target; JSON', () => {
    const { unmount } = render(PermissionCard, {
      request: permissionRequest({ toolName: 'Bash', displayName: 'Bash', preview: { kind: 'command', command: 'rm -rf build', description: 'Clean the build' } }),
      onanswer: () => {},
    });
    const preview = screen.getByTestId('permission-preview');
    expect(preview.dataset.kind).toBe('command');
    expect(preview.querySelector('code')?.textContent).toBe('rm -rf build');
    expect(preview.textContent).toContain('Clean the build');
    unmount();
    render(PermissionCard, { request: permissionRequest({ preview: { kind: 'json', text: '{\n  "q": "<script>"\n}' } }), onanswer: () => {} });
    expect(screen.getByTestId('permission-preview').querySelector('pre')?.textContent).toBe('{\n  "q": "<script>"\n}');
    expect(screen.getByTestId('permission-preview').querySelector('script')).toBeNull();
  });

  it('Allow once and Allow for this session send their decisions; the latter says what it allows', async () => {
    const onanswer = vi.fn();
    render(PermissionCard, { request: permissionRequest(), onanswer });
    expect(screen.getByTestId('permission-allows').textContent).toContain('switch to accept edits mode, for this session');
    await fireEvent.click(screen.getByTestId('permission-allow-once'));
    await fireEvent.click(screen.getByTestId('permission-allow-session'));
    expect(onanswer.mock.calls).toEqual([[{ decision: 'allowOnce' }], [{ decision: 'allowSession' }]]);
  });

  it('no "Allow for this session" without suggestions', () => {
    render(PermissionCard, { request: permissionRequest({ suggestions: [] }), onanswer: () => {} });
    expect(screen.queryByTestId('permission-allow-session')).toBeNull();
    expect(screen.queryByTestId('permission-allows')).toBeNull();
    expect(screen.getByTestId('permission-allow-once')).toBeTruthy();
  });

  it('Deny opens a message box; the message goes with the denial', async () => {
    const onanswer = vi.fn();
    render(PermissionCard, { request: permissionRequest(), onanswer });
    expect(screen.queryByTestId('permission-deny-message')).toBeNull();
    await fireEvent.click(screen.getByTestId('permission-deny'));
    await fireEvent.input(screen.getByTestId('permission-deny-message'), { target: { value: '  use a temp dir  ' } });
    await fireEvent.click(screen.getByTestId('permission-deny-send'));
    expect(onanswer).toHaveBeenCalledWith({ decision: 'deny', message: 'use a temp dir' });
  });

  it('a card that just appeared takes no click for a moment (a double click answers one prompt)', async () => {
    vi.useFakeTimers();
    try {
      setPermissionCardArmMs(400);
      const onanswer = vi.fn();
      render(PermissionCard, { request: permissionRequest(), onanswer });
      const allow = screen.getByTestId('permission-allow-once') as HTMLButtonElement;
      expect(allow.disabled).toBe(true);
      expect(screen.getByTestId('permission-card').getAttribute('data-armed')).toBe('false');
      await fireEvent.click(allow);
      expect(onanswer).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(400);
      expect(allow.disabled).toBe(false);
      expect(screen.getByTestId('permission-card').getAttribute('data-armed')).toBe('true');
      await fireEvent.click(allow);
      expect(onanswer).toHaveBeenCalledWith({ decision: 'allowOnce' });
    } finally {
      vi.useRealTimers();
    }
  });

  it('buttons are disabled while an answer is on its way', () => {
    render(PermissionCard, { request: permissionRequest(), busy: true, onanswer: () => {} });
    expect((screen.getByTestId('permission-allow-once') as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId('permission-deny') as HTMLButtonElement).disabled).toBe(true);
  });
});
