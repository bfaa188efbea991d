import { describe, expect, it } from 'vitest';
import { activeElsewhere, ACTIVE_ELSEWHERE_MS } from './elsewhere';
import type { RunRecord, SessionSummary } from './types';

const NOW = 10_000_000;
const s = (lastActivityMs: number | null) => ({ lastActivityMs }) as SessionSummary;
const run = (updatedAtMs: number): RunRecord => ({ runId: 'r', startedAtMs: updatedAtMs - 1000, updatedAtMs, state: 'closed', turns: 1, costUsd: null });

describe('activeElsewhere', () => {
  it('is a session written moments ago that ccdesk does not hold and did not write', () => {
    expect(activeElsewhere(s(NOW - 10_000), false, [], NOW)).toBe(true);
    expect(activeElsewhere(s(NOW - ACTIVE_ELSEWHERE_MS - 1), false, [], NOW)).toBe(false);
    expect(activeElsewhere(s(null), false, [], NOW)).toBe(false);
  });

  it('is not one live here, nor one a ccdesk run wrote', () => {
    expect(activeElsewhere(s(NOW - 10_000), true, [], NOW)).toBe(false);
    expect(activeElsewhere(s(NOW - 10_000), false, [run(NOW - 12_000)], NOW)).toBe(false);
    // A ccdesk run long before the last write: someone else wrote since.
    expect(activeElsewhere(s(NOW - 10_000), false, [run(NOW - 60_000)], NOW)).toBe(true);
  });
});
