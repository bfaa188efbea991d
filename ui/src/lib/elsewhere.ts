// Whether a listed session looks live elsewhere: its transcript was written moments ago, and not
// by ccdesk (it is not live here, and no ccdesk run of it was active since that write). The
// backend checks the process table before a resume (`session_activity`); this is the list's cheap
// hint, from what the listing already holds (no process is started, no file read).
import type { RunRecord, SessionSummary } from './types';

/** How recent the last write must be, in ms. */
export const ACTIVE_ELSEWHERE_MS = 120_000;
/** A ccdesk run counts as the writer when its last change is at most this much older, in ms. */
const OURS_SLACK_MS = 5_000;

export function activeElsewhere(s: SessionSummary, liveHere: boolean, runs: RunRecord[], now: number): boolean {
  const last = s.lastActivityMs;
  if (liveHere || last === null || last === undefined) return false;
  const age = now - last;
  if (age < -OURS_SLACK_MS || age > ACTIVE_ELSEWHERE_MS) return false;
  return !runs.some((r) => r.updatedAtMs >= last - OURS_SLACK_MS);
}
