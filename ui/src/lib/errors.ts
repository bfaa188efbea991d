// Turns whatever a command rejected with into words for the user.
import type { CommandError } from './types';

export function isCommandError(e: unknown): e is CommandError {
  return typeof e === 'object' && e !== null && typeof (e as CommandError).kind === 'string' &&
    typeof (e as CommandError).message === 'string';
}

const HINTS: Record<string, string> = {
  claude_not_found: 'Install Claude Code or put claude on your PATH, then restart ccdesk.',
  project_dir_missing: 'The project folder no longer exists.',
};

/**
 * Words for the user: the backend's message and, for a few kinds, a hint on its own line (the
 * message may end in a path, so the two are never run together). Shown with `white-space: pre-line`.
 */
export function describeError(e: unknown): string {
  if (isCommandError(e)) {
    const msg = plain(e.message.trim()) || e.kind;
    const hint = HINTS[e.kind];
    return hint && !msg.includes(hint) ? `${msg}\n${hint}` : msg;
  }
  if (e instanceof Error) return plain(e.message);
  if (typeof e === 'string') return plain(e);
  return 'Something went wrong.';
}

/** Drops markdown code quotes: `claude` -> claude (the banner shows plain text). */
function plain(text: string): string {
  return text.replace(/`([^`\n]*)`/g, '$1');
}
