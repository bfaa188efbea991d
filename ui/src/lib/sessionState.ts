// Live session states in words, and what each allows (mirrors the backend's `SessionState`).
import { duration } from './format';
import type { SessionInfo, SessionState, SessionStateName } from './types';

export const STATE_NAMES: SessionStateName[] = [
  'connecting',
  'ready',
  'streaming',
  'waitingForPermission',
  'interrupting',
  'closed',
  'failed',
  'expired',
];

const LABELS: Record<SessionStateName, string> = {
  connecting: 'connecting',
  ready: 'ready',
  streaming: 'streaming',
  waitingForPermission: 'waiting for permission',
  interrupting: 'interrupting',
  closed: 'closed',
  failed: 'failed',
  expired: 'expired',
};

/** The state in words, as badges show it (`waitingForPermission` → "waiting for permission"). */
export function stateLabel(state: string): string {
  return (LABELS as Record<string, string>)[state] ?? state;
}

/** A turn is under way: Interrupt applies. */
export function isBusy(state: string): boolean {
  return state === 'connecting' || state === 'streaming' || state === 'waitingForPermission' || state === 'interrupting';
}

/** A process is alive for the session (what counts against the pool's cap). */
export function isLive(state: string): boolean {
  return isBusy(state) || state === 'ready';
}

/** How a badge looks: `ok` idle and healthy, `busy` working, `attention` needs the user, `err`, `off`. */
export function stateTone(state: string): 'ok' | 'busy' | 'attention' | 'err' | 'off' {
  switch (state) {
    case 'ready':
      return 'ok';
    case 'connecting':
    case 'streaming':
    case 'interrupting':
      return 'busy';
    case 'waitingForPermission':
      return 'attention';
    case 'failed':
      return 'err';
    default:
      return 'off';
  }
}

/** The failure in words: the backend's message, else its kind. */
export function failureText(info: SessionState): string | null {
  if (info.state !== 'failed') return null;
  return info.message?.trim() || (info.kind ? `failed (${info.kind})` : 'failed');
}

/** The backend's message of a failed session; null for any other state or no session. */
export function failureMessage(info: SessionState | null | undefined): string | null {
  return info?.state === 'failed' ? info.message : null;
}

/** Count per state name, and how many are live, for the pool totals. */
export function countStates(sessions: Pick<SessionInfo, 'state'>[]): { byState: Record<string, number>; live: number } {
  const byState: Record<string, number> = {};
  let live = 0;
  for (const s of sessions) {
    byState[s.state] = (byState[s.state] ?? 0) + 1;
    if (isLive(s.state)) live += 1;
  }
  return { byState, live };
}

/**
 * How long a session has been idle, for the pool view: since its last prompt, for a session with a
 * process between turns; "busy" while a turn runs; "—" without a process.
 */
export function idleText(info: Pick<SessionInfo, 'state' | 'lastUsedAtMs'>, now: number): string {
  if (isBusy(info.state)) return 'busy';
  if (info.state !== 'ready') return '—';
  const ms = now - info.lastUsedAtMs;
  return ms < 10_000 ? 'just now' : duration(ms);
}

/** Counters that never go down over a session's life (across its processes). */
const MONOTONIC = ['turns', 'messagesIn', 'messagesOut', 'bytesStreamed', 'errors', 'reconnects'] as const;

/**
 * True when `next` is older news than `current`: one of its never-decreasing counters is lower.
 * The backend sends state changes from more than one task, so two can arrive swapped (a permission
 * answer's "streaming" after the turn's "ready"); the older one must not win. Equal counters tell
 * nothing, and the later arrival is taken.
 */
export function isStaleInfo(current: SessionInfo | null | undefined, next: SessionInfo): boolean {
  if (!current || current.runId !== next.runId) return false;
  return MONOTONIC.some((k) => typeof next[k] === 'number' && typeof current[k] === 'number' && next[k] < current[k]);
}
