// The quick switcher (Ctrl/Cmd+K): every session of the last listing (as briefs, loaded while the
// switcher is open) and every live run, filtered by words of their name, title or project; live
// runs first, then newest first.
import { baseName } from './paths';
import type { ProjectEntry, Registry, SessionBrief } from './types';

export interface SwitcherItem {
  kind: 'session' | 'live';
  /** `SessionSummary.key` (kind session: unique, one id can be in two dirs) or the live entry's key. */
  key: string;
  /** The name the user gave it, else its title. */
  title: string;
  /** The session's own title when a name hides it (also searched); null otherwise. */
  subtitle: string | null;
  /** Project folder name, or the live state. */
  detail: string;
  lastActivityMs: number;
}

export interface LiveLike {
  key: string;
  title: string;
  state: string;
}

/** The dir name in a session key (`<dirName>/<sessionId>`). */
function dirOfKey(key: string): string {
  const slash = key.lastIndexOf('/');
  return slash >= 0 ? key.slice(0, slash) : key;
}

/**
 * Every item, unfiltered: live runs first, then sessions newest first. `briefs` null (not loaded
 * yet): the live runs only. A session's detail is its project's folder name (`projects`), else
 * the dir name in its key.
 */
export function switcherItems(
  briefs: SessionBrief[] | null,
  projects: ProjectEntry[],
  registry: Registry | null,
  live: LiveLike[],
): SwitcherItem[] {
  const byKey = new Map(projects.map((p) => [p.key, p]));
  const sessions: SwitcherItem[] = (briefs ?? []).map((s) => {
    const name = registry?.sessions[s.id]?.name || null;
    const p = byKey.get(s.projectKey);
    return {
      kind: 'session' as const,
      key: s.key,
      title: name || s.title || s.id,
      subtitle: name && s.title && s.title !== name ? s.title : null,
      detail: p ? (p.projectPath ? baseName(p.projectPath) : p.dirName) : dirOfKey(s.key),
      lastActivityMs: s.lastActivityMs ?? 0,
    };
  });
  sessions.sort((a, b) => b.lastActivityMs - a.lastActivityMs);
  const runs: SwitcherItem[] = live.map((l) => ({ kind: 'live', key: l.key, title: l.title, subtitle: null, detail: l.state, lastActivityMs: 0 }));
  return [...runs, ...sessions];
}

/**
 * Items whose title, hidden title or detail contains every word of `query` (case-insensitive), at
 * most `limit`.
 */
export function filterSwitcher(items: SwitcherItem[], query: string, limit = 50): SwitcherItem[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const out: SwitcherItem[] = [];
  for (const item of items) {
    const hay = `${item.title} ${item.subtitle ?? ''} ${item.detail}`.toLowerCase();
    if (words.every((w) => hay.includes(w))) out.push(item);
    if (out.length >= limit) break;
  }
  return out;
}
