import { describe, expect, it } from 'vitest';
import { describeError, isCommandError } from './errors';

describe('describeError', () => {
  it('uses the backend message', () => {
    expect(describeError({ kind: 'unknown_session', message: 'No session abc.' })).toBe('No session abc.');
  });

  it('puts the hint on its own line, not run into a path that ends the message', () => {
    const text = describeError({
      kind: 'claude_not_found',
      message: 'cannot find the claude CLI; tried: claude on PATH, /home/dev/.claude/local/claude',
    });
    expect(text).toBe(
      'cannot find the claude CLI; tried: claude on PATH, /home/dev/.claude/local/claude\n' +
        'Install Claude Code or put claude on your PATH, then restart ccdesk.',
    );
    expect(text).not.toContain('claude Install');
  });

  it('shows no literal backticks', () => {
    expect(describeError({ kind: 'claude_not_found', message: 'claude was not found.' })).not.toContain('`');
    expect(describeError({ kind: 'invalid_input', message: 'Use `--model` with a name.' })).toBe('Use --model with a name.');
    expect(describeError(new Error('bad `x`'))).toBe('bad x');
  });

  it('does not repeat a hint the message already has', () => {
    const msg = 'Gone. The project folder no longer exists.';
    expect(describeError({ kind: 'project_dir_missing', message: msg })).toBe(msg);
  });

  it('handles errors, strings and junk', () => {
    expect(describeError(new Error('boom'))).toBe('boom');
    expect(describeError('plain')).toBe('plain');
    expect(describeError(42)).toBe('Something went wrong.');
    expect(describeError({ kind: 'io', message: '' })).toBe('io');
  });

  it('recognises command errors', () => {
    expect(isCommandError({ kind: 'io', message: 'x' })).toBe(true);
    expect(isCommandError({ message: 'x' })).toBe(false);
  });
});
