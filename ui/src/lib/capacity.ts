// The pool's cap: recognising its error, and which session to close to make room.
import { isCommandError } from './errors';
import type { CommandError, PoolSnapshot, SessionInfo } from './types';

/** The backend's refusal to start a process because `maxSessions` are live, with its data. */
export type PoolFullError = Extract<CommandError, { kind: 'pool_full' }>;

/** The backend refused to start a process because `maxSessions` are live. */
export function isPoolFull(e: unknown): e is PoolFullError {
  return isCommandError(e) && e.kind === 'pool_full';
}

/**
 * The session to close to make room: the one the backend named in its refusal when it is still
 * ready (idle between turns), else the ready one unused the longest; null when none is ready.
 */
export function idleToClose(
  snapshot: Pick<PoolSnapshot, 'sessions'>,
  named: string | null,
  except: string[] = [],
): SessionInfo | null {
  const byBackend = snapshot.sessions.find((s) => s.runId === named && s.state === 'ready' && !except.includes(s.runId));
  return byBackend ?? pickIdleSession(snapshot, except);
}

/** The limit in words, for the capacity notice. */
export function capacityText(max: number | null | undefined): string {
  const n = typeof max === 'number' && max > 0 ? max : null;
  return n === null
    ? 'The most sessions ccdesk runs at once are already live.'
    : `${n} session${n === 1 ? ' is' : 's are'} already live, the most ccdesk runs at once.`;
}

/**
 * The session to close to make room: the ready (idle between turns) one unused the longest.
 * Busy sessions are never picked; null when none is ready.
 */
export function pickIdleSession(snapshot: Pick<PoolSnapshot, 'sessions'>, except: string[] = []): SessionInfo | null {
  let best: SessionInfo | null = null;
  for (const s of snapshot.sessions) {
    if (s.state !== 'ready' || except.includes(s.runId)) continue;
    if (!best || s.idleMs > best.idleMs || (s.idleMs === best.idleMs && s.lastUsedAtMs < best.lastUsedAtMs)) best = s;
  }
  return best;
}
