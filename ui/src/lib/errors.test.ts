import { describe, expect, it } from 'vitest';
import { describeError, isCommandError } from './errors';

describe('describeError', () => {
  it('uses the backend message', () => {
    expect(describeError({ kind: 'unknown_session', message: 'No session abc.' })).toBe('No session abc.');
  });

  it('adds a hint when claude is missing', () => {
    expect(describeError({ kind: 'claude_not_found', message: 'claude was not found.' })).toMatch(/^claude was not found\. Install Claude Code/);
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
