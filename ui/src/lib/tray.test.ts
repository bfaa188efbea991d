import { describe, expect, it } from 'vitest';
import { trayActionId } from './tray';

describe('tray item ids', () => {
  it('are the backend’s ids', () => {
    expect(trayActionId({ kind: 'resume', sessionId: 's1' })).toBe('resume:s1');
    expect(trayActionId({ kind: 'openLive', runId: 'r1' })).toBe('live:r1');
    expect(trayActionId({ kind: 'showWindow' })).toBe('show');
    expect(trayActionId({ kind: 'newSessionInFolder' })).toBe('new-session');
    expect(trayActionId({ kind: 'quit' })).toBe('quit');
  });
});
