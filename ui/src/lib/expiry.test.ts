import { describe, expect, it } from 'vitest';
import { DAY_MS, expiryNotice, expiryWords, retentionWords } from './expiry';

describe('expiry', () => {
  const now = 1_000 * DAY_MS;
  it('flags sessions within seven days, rounding the days up', () => {
    expect(expiryWords(now + 8 * DAY_MS, now)).toBeNull();
    expect(expiryWords(now + 7 * DAY_MS, now)).toBe('deleted by the CLI in 7 days');
    expect(expiryWords(now + 2 * DAY_MS - 5, now)).toBe('deleted by the CLI in 2 days');
    expect(expiryWords(now + 1, now)).toBe('deleted by the CLI in 1 day');
    expect(expiryWords(now, now)).toBe('deleted when the CLI next starts');
    expect(expiryWords(null, now)).toBeNull();
    expect(expiryWords(undefined, now)).toBeNull();
  });

  it('names where the period comes from', () => {
    expect(retentionWords({ retention: { periodDays: 30, source: null } })).toBe("the CLI's default of 30 days");
    expect(retentionWords({ retention: { periodDays: 3, source: '/h/.claude/settings.json' } })).toBe(
      'cleanupPeriodDays 3 in /h/.claude/settings.json',
    );
    expect(retentionWords({ retention: { periodDays: null, source: '/h/s.json' } })).toBe('no clean-up');
  });

  it('tells when any session is about to go, and says nothing otherwise', () => {
    expect(expiryNotice({ retention: { periodDays: 30, source: null }, expiringSoon: 0 })).toBeNull();
    const one = expiryNotice({ retention: { periodDays: 30, source: null }, expiringSoon: 1 });
    expect(one).toMatch(/^1 session is deleted by the CLI's clean-up within 7 days \(the CLI's default of 30 days\)/);
    const two = expiryNotice({ retention: { periodDays: 5, source: '/s.json' }, expiringSoon: 2 });
    expect(two).toMatch(/^2 sessions are deleted .*cleanupPeriodDays 5 in \/s\.json/);
  });
});
