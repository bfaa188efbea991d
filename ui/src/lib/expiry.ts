// The CLI's transcript clean-up, in the list's words. The backend decides when each session is
// deleted (`SessionSummary.expiresAt`, from the file's mtime and `cleanupPeriodDays`, see
// core/src/transcripts/retention.rs); this only puts it into words at the time shown.
import type { ProjectIndex } from './types';

/** One day in ms. */
export const DAY_MS = 24 * 60 * 60 * 1000;
/** Sessions this close to their deletion are flagged (the backend's `WARN_DAYS`). */
export const WARN_DAYS = 7;

/**
 * The badge for a session the CLI deletes at `expiresAt` (ms since the epoch), seen at `now`:
 * null unless within `WARN_DAYS`; "deleted by the CLI in N days" (N rounded up), or once due
 * "deleted when the CLI next starts".
 */
export function expiryWords(expiresAt: number | null | undefined, now: number): string | null {
  if (expiresAt === null || expiresAt === undefined) return null;
  const left = expiresAt - now;
  if (left > WARN_DAYS * DAY_MS) return null;
  if (left <= 0) return 'deleted when the CLI next starts';
  const days = Math.ceil(left / DAY_MS);
  return `deleted by the CLI in ${days} day${days === 1 ? '' : 's'}`;
}

/** Where the clean-up period comes from, in words. */
export function retentionWords(index: Pick<ProjectIndex, 'retention'>): string {
  const { periodDays, source } = index.retention;
  if (periodDays === null || periodDays === undefined) return 'no clean-up';
  return source ? `cleanupPeriodDays ${periodDays} in ${source}` : `the CLI's default of ${periodDays} days`;
}

/** The notice when any session is about to be deleted; null when none is. */
export function expiryNotice(index: Pick<ProjectIndex, 'retention' | 'expiringSoon'>): string | null {
  const n = index.expiringSoon;
  if (n <= 0) return null;
  return (
    `${n} session${n === 1 ? ' is' : 's are'} deleted by the CLI's clean-up within ${WARN_DAYS} days ` +
    `(${retentionWords(index)}): the CLI deletes a transcript that long after its last write, when it next starts. ` +
    'Raise cleanupPeriodDays in the settings file to keep them longer.'
  );
}
