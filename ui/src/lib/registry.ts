// ccdesk's own memory of sessions (the backend's registry): names given by the user, pins, runs
// through ccdesk. Pure helpers for the session list, the session header and the run history.
import type { Registry, RegistryEntry, RunRecord, SessionSummary } from './types';

/** The most characters of a name (the backend keeps as many). */
export const NAME_MAX = 200;

/** An empty registry (before the first load, or when the backend sent something unusable). */
export function emptyRegistry(): Registry {
  return { version: 1, sessions: {} };
}

/**
 * The registry as the UI uses it: entries that are not objects are dropped, missing fields get
 * their defaults, a history that is not a list is empty. Anything else is an empty registry.
 */
export function normalizeRegistry(value: unknown): Registry {
  if (!isObject(value) || !isObject(value.sessions)) return emptyRegistry();
  const sessions: Record<string, RegistryEntry> = {};
  for (const [id, raw] of Object.entries(value.sessions)) {
    if (!isObject(raw)) continue;
    const name = typeof raw.name === 'string' && raw.name.trim() !== '' ? raw.name : null;
    sessions[id] = {
      name,
      pinned: raw.pinned === true,
      cwd: typeof raw.cwd === 'string' ? raw.cwd : null,
      lastState: typeof raw.lastState === 'string' ? raw.lastState : null,
      lastRunAtMs: finite(raw.lastRunAtMs),
      history: Array.isArray(raw.history) ? raw.history.filter(isRunRecord) : [],
    };
  }
  return { version: typeof value.version === 'number' ? value.version : 1, sessions };
}

/** The name the user gave session `id`, if any. */
export function nameOf(registry: Registry | null, id: string | null | undefined): string | null {
  if (!registry || !id) return null;
  return registry.sessions[id]?.name ?? null;
}

export function isPinned(registry: Registry | null, id: string): boolean {
  return registry?.sessions[id]?.pinned === true;
}

/** What a session is called on screen: its name, else its title, else "(untitled)". */
export function displayName(session: Pick<SessionSummary, 'id' | 'title'>, registry: Registry | null): string {
  return nameOf(registry, session.id) ?? (session.title || '(untitled)');
}

/**
 * A project's sessions for the list: pinned ones first, each part in the order given (the index
 * lists newest first). The list given is not changed.
 */
export function orderSessions<T extends Pick<SessionSummary, 'id'>>(sessions: T[], registry: Registry | null): T[] {
  const pinned = sessions.filter((s) => isPinned(registry, s.id));
  if (pinned.length === 0) return sessions;
  return [...pinned, ...sessions.filter((s) => !isPinned(registry, s.id))];
}

/** The runs of a session through ccdesk, newest first. */
export function runHistory(registry: Registry | null, id: string | null | undefined): RunRecord[] {
  if (!registry || !id) return [];
  const history = registry.sessions[id]?.history ?? [];
  return [...history].sort((a, b) => b.startedAtMs - a.startedAtMs);
}

/** What a rename would store: the trimmed name, cut to `NAME_MAX` characters ("" removes it). */
export function cleanName(name: string): string {
  return [...name.trim()].slice(0, NAME_MAX).join('');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function finite(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function isRunRecord(v: unknown): v is RunRecord {
  return isObject(v) && typeof v.runId === 'string' && typeof v.state === 'string' &&
    typeof v.startedAtMs === 'number' && typeof v.updatedAtMs === 'number' &&
    typeof v.turns === 'number' && typeof v.costUsd === 'number';
}
