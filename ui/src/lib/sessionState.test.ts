import { describe, expect, it } from 'vitest';
import { sessionInfo } from './__fixtures__/data';
import { countStates, failureText, idleText, isBusy, isLive, isStaleInfo, stateLabel, stateTone, STATE_NAMES } from './sessionState';

describe('session states', () => {
  it('in words', () => {
    expect(STATE_NAMES.map(stateLabel)).toEqual([
      'connecting', 'ready', 'streaming', 'waiting for permission', 'interrupting', 'closed', 'failed', 'expired',
    ]);
    expect(stateLabel('somethingNew')).toBe('somethingNew');
  });

  it('busy and live as the backend counts them', () => {
    expect(STATE_NAMES.filter(isBusy)).toEqual(['connecting', 'streaming', 'waitingForPermission', 'interrupting']);
    expect(STATE_NAMES.filter(isLive)).toEqual(['connecting', 'ready', 'streaming', 'waitingForPermission', 'interrupting']);
  });

  it('a waiting session asks for attention, a failed one is an error', () => {
    expect(stateTone('waitingForPermission')).toBe('attention');
    expect(stateTone('failed')).toBe('err');
    expect(stateTone('ready')).toBe('ok');
    expect(stateTone('streaming')).toBe('busy');
    expect(stateTone('expired')).toBe('off');
  });

  it('a failure in words: the message, else the kind', () => {
    expect(failureText({ state: 'failed', kind: 'crashed', message: 'claude exited with code 3' })).toBe('claude exited with code 3');
    expect(failureText({ state: 'failed', kind: 'crashed', message: '' })).toBe('failed (crashed)');
    expect(failureText({ state: 'ready' })).toBeNull();
  });

  it('counts per state and live', () => {
    expect(countStates([{ state: 'ready' }, { state: 'ready' }, { state: 'closed' }, { state: 'streaming' }])).toEqual({
      byState: { ready: 2, closed: 1, streaming: 1 },
      live: 3,
    });
  });

  it('idle time only for a ready session', () => {
    const now = 1_000_000;
    expect(idleText({ state: 'ready', lastUsedAtMs: now - 3_000 }, now)).toBe('just now');
    expect(idleText({ state: 'ready', lastUsedAtMs: now - 125_000 }, now)).toBe('2 min');
    expect(idleText({ state: 'streaming', lastUsedAtMs: now - 125_000 }, now)).toBe('busy');
    expect(idleText({ state: 'closed', lastUsedAtMs: now - 125_000 }, now)).toBe('—');
  });
});

describe('isStaleInfo', () => {
  it('older news has a lower never-decreasing counter', () => {
    const ready = sessionInfo({ state: 'ready', turns: 1, bytesStreamed: 9000, messagesOut: 2 });
    expect(isStaleInfo(ready, sessionInfo({ state: 'streaming', turns: 0, bytesStreamed: 8000, messagesOut: 2 }))).toBe(true);
    expect(isStaleInfo(ready, sessionInfo({ state: 'streaming', turns: 1, bytesStreamed: 8999, messagesOut: 2 }))).toBe(true);
    expect(isStaleInfo(ready, sessionInfo({ state: 'streaming', turns: 1, bytesStreamed: 9000, messagesOut: 2, messagesIn: 1 }))).toBe(false);
    expect(isStaleInfo(ready, sessionInfo({ state: 'closed', turns: 1, bytesStreamed: 9000, messagesOut: 2 }))).toBe(false);
  });

  it('nothing to compare: not stale', () => {
    expect(isStaleInfo(null, sessionInfo())).toBe(false);
    expect(isStaleInfo(sessionInfo({ runId: 'a', turns: 5 }), sessionInfo({ runId: 'b', turns: 0 }))).toBe(false);
  });
});
