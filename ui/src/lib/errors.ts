// Turns whatever a command rejected with into words for the user.
import type { CommandError } from './types';

export function isCommandError(e: unknown): e is CommandError {
  return typeof e === 'object' && e !== null && typeof (e as CommandError).kind === 'string' &&
    typeof (e as CommandError).message === 'string';
}

const HINTS: Record<string, string> = {
  claude_not_found: 'Install Claude Code or put `claude` on your PATH, then restart ccdesk.',
  project_dir_missing: 'The project folder no longer exists.',
};

/** A sentence for the user: the backend's message, with a hint for a few kinds. */
export function describeError(e: unknown): string {
  if (isCommandError(e)) {
    const hint = HINTS[e.kind];
    const msg = e.message.trim() || e.kind;
    return hint && !msg.includes(hint) ? `${msg} ${hint}` : msg;
  }
  if (e instanceof Error) return e.message;
  if (typeof e === 'string') return e;
  return 'Something went wrong.';
}
