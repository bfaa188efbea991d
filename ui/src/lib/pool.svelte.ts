// The backend's pool of live sessions as the UI knows it: one `SessionInfo` per run id, kept
// current by the global `pool://session` event and by `pool_snapshot` (for the totals and after
// a reload). A snapshot never overwrites a session with older news than an event already gave.
import { countStates, isStaleInfo } from './sessionState';
import type { PoolSnapshot, SessionInfo } from './types';

export interface PoolTotals {
  live: number;
  byState: Record<string, number>;
  maxSessions: number | null;
  totalCreated: number;
}

export class PoolModel {
  /** Every session in the pool by run id. */
  sessions: Record<string, SessionInfo> = $state({});
  maxSessions: number | null = $state(null);
  totalCreated = $state(0);
  /** Event counter, and the count at each session's last event (see `mark`). */
  private seq = 0;
  private updated = new Map<string, number>();
  /** Closed by the user: later events about them (the close itself) do not bring them back. */
  private removed = new Set<string>();

  /** Sessions newest first. */
  get list(): SessionInfo[] {
    return Object.values(this.sessions).sort((a, b) => b.createdAtMs - a.createdAtMs || a.runId.localeCompare(b.runId));
  }

  get totals(): PoolTotals {
    const { byState, live } = countStates(Object.values(this.sessions));
    return { live, byState, maxSessions: this.maxSessions, totalCreated: Math.max(this.totalCreated, this.updated.size) };
  }

  /** The session whose CLI session id is `sessionId`, if live in the pool. */
  bySessionId(sessionId: string): SessionInfo | null {
    return Object.values(this.sessions).find((s) => s.sessionId === sessionId) ?? null;
  }

  /**
   * One session's news. Returns true when the run id was not known before. A `retired` report is
   * the session's last: it left the pool (ended, then untouched for a while) and is dropped.
   */
  apply(info: SessionInfo): boolean {
    if (!info || typeof info.runId !== 'string' || this.removed.has(info.runId)) return false;
    if (info.retired) {
      this.remove(info.runId);
      return false;
    }
    if (isStaleInfo(this.sessions[info.runId], info)) return false;
    const fresh = !(info.runId in this.sessions) && !this.updated.has(info.runId);
    this.seq += 1;
    this.updated.set(info.runId, this.seq);
    this.sessions[info.runId] = info;
    return fresh;
  }

  /** The position to pass to `load` for a snapshot requested now. */
  mark(): number {
    return this.seq;
  }

  /**
   * Takes a snapshot requested at `mark`: sessions it lacks have left the pool; sessions with an
   * event after `mark` keep that event's (newer) info.
   */
  load(snapshot: PoolSnapshot, mark = Infinity): void {
    const next: Record<string, SessionInfo> = {};
    for (const s of snapshot.sessions ?? []) {
      if (this.removed.has(s.runId)) continue;
      const known = this.sessions[s.runId];
      const newer = (this.updated.get(s.runId) ?? -1) > mark || isStaleInfo(known, s);
      next[s.runId] = newer ? known ?? s : s;
    }
    // A session that appeared after the snapshot was requested is not gone.
    for (const [id, info] of Object.entries(this.sessions)) {
      if (!(id in next) && (this.updated.get(id) ?? -1) > mark) next[id] = info;
    }
    this.sessions = next;
    if (typeof snapshot.maxSessions === 'number') this.maxSessions = snapshot.maxSessions;
    if (typeof snapshot.totalCreated === 'number') this.totalCreated = snapshot.totalCreated;
  }

  /** The user closed it: drop it, and ignore what is still said about it. */
  remove(runId: string): void {
    this.removed.add(runId);
    delete this.sessions[runId];
  }
}
