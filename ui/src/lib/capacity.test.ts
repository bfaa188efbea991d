import { describe, expect, it } from 'vitest';
import { sessionInfo } from './__fixtures__/data';
import { capacityText, idleToClose, isPoolFull, pickIdleSession } from './capacity';

describe('capacity', () => {
  it('recognises the pool_full error only', () => {
    expect(isPoolFull({ kind: 'pool_full', message: '8 sessions are already running' })).toBe(true);
    expect(isPoolFull({ kind: 'claude_not_found', message: 'x' })).toBe(false);
    expect(isPoolFull(new Error('pool_full'))).toBe(false);
  });

  it('names the limit', () => {
    expect(capacityText(8)).toBe('8 sessions are already live, the most ccdesk runs at once.');
    expect(capacityText(1)).toBe('1 session is already live, the most ccdesk runs at once.');
    expect(capacityText(null)).toMatch(/already live/);
  });

  it('picks the ready session idle the longest, never a busy one', () => {
    const sessions = [
      sessionInfo({ runId: 'busy', state: 'streaming', idleMs: 9_999_999 }),
      sessionInfo({ runId: 'waiting', state: 'waitingForPermission', idleMs: 9_999_999 }),
      sessionInfo({ runId: 'short', state: 'ready', idleMs: 1_000 }),
      sessionInfo({ runId: 'long', state: 'ready', idleMs: 500_000 }),
      sessionInfo({ runId: 'closed', state: 'closed', idleMs: 9_999_999 }),
    ];
    expect(pickIdleSession({ sessions })?.runId).toBe('long');
    expect(pickIdleSession({ sessions }, ['long'])?.runId).toBe('short');
    expect(pickIdleSession({ sessions: sessions.slice(0, 2) })).toBeNull();
  });
});

describe('idleToClose', () => {
  const snap = {
    sessions: [
      sessionInfo({ runId: 'a', state: 'ready', idleMs: 90_000 }),
      sessionInfo({ runId: 'b', state: 'ready', idleMs: 10_000 }),
      sessionInfo({ runId: 'c', state: 'streaming', idleMs: 999_000 }),
    ],
  };
  it('closes the session the backend named while it is still ready', () => {
    expect(idleToClose(snap, 'b')?.runId).toBe('b');
  });
  it('falls back to the longest-idle ready one when the named one is busy, gone or excluded', () => {
    expect(idleToClose(snap, 'c')?.runId).toBe('a');
    expect(idleToClose(snap, 'zz')?.runId).toBe('a');
    expect(idleToClose(snap, null)?.runId).toBe('a');
    expect(idleToClose(snap, 'b', ['b'])?.runId).toBe('a');
  });
});
