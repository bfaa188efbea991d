import { describe, expect, it } from 'vitest';
import { summary } from './__fixtures__/data';
import { cleanName, displayName, emptyRegistry, isPinned, nameOf, NAME_MAX, normalizeRegistry, orderSessions, runHistory } from './registry';
import type { Registry, RegistryEntry, RunRecord } from './types';

function entry(over: Partial<RegistryEntry> = {}): RegistryEntry {
  return { name: null, pinned: false, cwd: '/p', lastState: 'closed', lastRunAtMs: 0, history: [], ...over };
}

function run(runId: string, startedAtMs: number, over: Partial<RunRecord> = {}): RunRecord {
  return { runId, startedAtMs, updatedAtMs: startedAtMs + 1000, state: 'closed', turns: 1, costUsd: 0.01, ...over };
}

const reg = (sessions: Record<string, RegistryEntry>): Registry => ({ version: 1, sessions });

describe('registry helpers', () => {
  it('shows the name instead of the title, and the title when there is no name', () => {
    const r = reg({ a: entry({ name: 'My fix' }), b: entry() });
    expect(displayName(summary({ id: 'a', title: 'Say hello' }), r)).toBe('My fix');
    expect(displayName(summary({ id: 'b', title: 'Say hello' }), r)).toBe('Say hello');
    expect(displayName(summary({ id: 'c', title: '' }), r)).toBe('(untitled)');
    expect(displayName(summary({ id: 'a', title: 'Say hello' }), null)).toBe('Say hello');
    expect(nameOf(r, null)).toBeNull();
  });

  it('puts pinned sessions first, keeping the newest-first order within each part', () => {
    const sessions = ['n1', 'n2', 'n3', 'n4'].map((id) => summary({ id }));
    const r = reg({ n3: entry({ pinned: true }), n4: entry({ pinned: true }), n1: entry({ name: 'named, not pinned' }) });
    expect(orderSessions(sessions, r).map((s) => s.id)).toEqual(['n3', 'n4', 'n1', 'n2']);
    expect(sessions.map((s) => s.id)).toEqual(['n1', 'n2', 'n3', 'n4']);
    expect(orderSessions(sessions, null).map((s) => s.id)).toEqual(['n1', 'n2', 'n3', 'n4']);
    expect(isPinned(r, 'n3')).toBe(true);
    expect(isPinned(r, 'n2')).toBe(false);
  });

  it('lists a session’s runs newest first without changing the registry', () => {
    const r = reg({ a: entry({ history: [run('r1', 100), run('r3', 300), run('r2', 200)] }) });
    expect(runHistory(r, 'a').map((x) => x.runId)).toEqual(['r3', 'r2', 'r1']);
    expect(r.sessions.a.history.map((x) => x.runId)).toEqual(['r1', 'r3', 'r2']);
    expect(runHistory(r, 'missing')).toEqual([]);
    expect(runHistory(null, 'a')).toEqual([]);
  });

  it('cleans a name as the backend stores it: trimmed, at most NAME_MAX characters', () => {
    expect(cleanName('  my fix \n')).toBe('my fix');
    expect(cleanName('   ')).toBe('');
    const long = 'é'.repeat(NAME_MAX + 20);
    expect([...cleanName(long)]).toHaveLength(NAME_MAX);
  });

  it('normalizes what the backend sent: defaults for missing fields, bad parts dropped', () => {
    const r = normalizeRegistry({
      version: 1,
      sessions: {
        ok: { name: 'x', pinned: true, cwd: '/p', lastState: 'ready', lastRunAtMs: 5, history: [run('r1', 1), { runId: 3 }, null] },
        blank: { name: '  ', pinned: 'yes' },
        bad: 'nope',
      },
    });
    expect(Object.keys(r.sessions)).toEqual(['ok', 'blank']);
    expect(r.sessions.ok.history.map((h) => h.runId)).toEqual(['r1']);
    expect(r.sessions.blank).toEqual({ name: null, pinned: false, cwd: null, lastState: null, lastRunAtMs: 0, history: [] });
    expect(normalizeRegistry(null)).toEqual(emptyRegistry());
    expect(normalizeRegistry({ version: 1, sessions: [] })).toEqual(emptyRegistry());
  });
});
