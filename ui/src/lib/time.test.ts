import { describe, expect, it } from 'vitest';
import { relativeTime } from './time';

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);

describe('relativeTime', () => {
  it.each([
    [NOW - 10_000, 'just now'],
    [NOW + 60_000, 'just now'],
    [NOW - 5 * 60_000, '5 min ago'],
    [NOW - 3 * 3_600_000 - 5, '3 h ago'],
    [NOW - 2 * 86_400_000, '2 d ago'],
    [Date.UTC(2026, 0, 2, 12), '2026-01-02'],
    [null, 'unknown time'],
  ])('%s -> %s', (ms, expected) => {
    expect(relativeTime(ms, NOW)).toBe(expected);
  });
});
