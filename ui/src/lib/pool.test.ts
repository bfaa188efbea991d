import { describe, expect, it } from 'vitest';
import { sessionInfo } from './__fixtures__/data';
import { PoolModel } from './pool.svelte';

const snapshot = (sessions: ReturnType<typeof sessionInfo>[], over = {}) => ({
  sessions, byState: {}, live: sessions.length, maxSessions: 8, totalCreated: sessions.length, ...over,
});

describe('PoolModel', () => {
  it('keeps one info per run id, newest first, and counts states', () => {
    const pool = new PoolModel();
    expect(pool.apply(sessionInfo({ runId: 'a', createdAtMs: 1, state: 'streaming' }))).toBe(true);
    expect(pool.apply(sessionInfo({ runId: 'b', createdAtMs: 2, state: 'ready' }))).toBe(true);
    expect(pool.apply(sessionInfo({ runId: 'a', createdAtMs: 1, state: 'waitingForPermission' }))).toBe(false);
    expect(pool.list.map((s) => [s.runId, s.state])).toEqual([['b', 'ready'], ['a', 'waitingForPermission']]);
    expect(pool.totals).toEqual({ live: 2, byState: { ready: 1, waitingForPermission: 1 }, maxSessions: null, totalCreated: 2 });
  });

  it('a snapshot replaces the list, but not with older news than an event gave since its request', () => {
    const pool = new PoolModel();
    pool.apply(sessionInfo({ runId: 'a', state: 'ready' }));
    pool.apply(sessionInfo({ runId: 'gone', state: 'ready' }));
    const mark = pool.mark();
    // while the snapshot is on its way, a asks for permission and c starts
    pool.apply(sessionInfo({ runId: 'a', state: 'waitingForPermission' }));
    pool.apply(sessionInfo({ runId: 'c', state: 'connecting' }));
    pool.load(snapshot([sessionInfo({ runId: 'a', state: 'streaming' })], { maxSessions: 4, totalCreated: 9 }), mark);
    expect(Object.keys(pool.sessions).sort()).toEqual(['a', 'c']);
    expect(pool.sessions.a.state).toBe('waitingForPermission');
    expect(pool.totals.maxSessions).toBe(4);
    expect(pool.totals.totalCreated).toBe(9);
    // a later snapshot is taken as it is
    pool.load(snapshot([sessionInfo({ runId: 'a', state: 'ready' })]), pool.mark());
    expect(pool.list.map((s) => [s.runId, s.state])).toEqual([['a', 'ready']]);
  });

  it('older news about a session does not replace newer (events or a snapshot)', () => {
    const pool = new PoolModel();
    pool.apply(sessionInfo({ runId: 'a', state: 'ready', turns: 1, bytesStreamed: 9000 }));
    expect(pool.apply(sessionInfo({ runId: 'a', state: 'streaming', turns: 0, bytesStreamed: 4000 }))).toBe(false);
    expect(pool.sessions.a.state).toBe('ready');
    pool.load(snapshot([sessionInfo({ runId: 'a', state: 'waitingForPermission', turns: 0, bytesStreamed: 4000 })]));
    expect(pool.sessions.a.state).toBe('ready');
  });

  it('a closed session stays gone, whatever is still said about it', () => {
    const pool = new PoolModel();
    pool.apply(sessionInfo({ runId: 'a' }));
    pool.remove('a');
    expect(pool.apply(sessionInfo({ runId: 'a', state: 'closed' }))).toBe(false);
    pool.load(snapshot([sessionInfo({ runId: 'a' })]));
    expect(pool.list).toEqual([]);
  });

  it('finds a session by its CLI session id', () => {
    const pool = new PoolModel();
    pool.apply(sessionInfo({ runId: 'a', sessionId: 's-1' }));
    expect(pool.bySessionId('s-1')?.runId).toBe('a');
    expect(pool.bySessionId('s-2')).toBeNull();
  });

  it('a retired report drops the session for good: later news and snapshots do not bring it back', () => {
    const pool = new PoolModel();
    pool.apply(sessionInfo({ runId: 'a', state: 'expired' }));
    pool.apply(sessionInfo({ runId: 'b', state: 'ready' }));
    expect(pool.apply(sessionInfo({ runId: 'a', state: 'expired', retired: true }))).toBe(false);
    expect(pool.list.map((s) => s.runId)).toEqual(['b']);
    pool.apply(sessionInfo({ runId: 'a', state: 'expired' }));
    pool.load(snapshot([sessionInfo({ runId: 'a' }), sessionInfo({ runId: 'b' })]));
    expect(pool.list.map((s) => s.runId)).toEqual(['b']);
  });
});
