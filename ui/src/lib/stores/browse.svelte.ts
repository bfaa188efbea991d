// What the user browses: the projects (listed without their sessions), the selected project's
// sessions (only that project's: one can have 10,000), the open session and the loaded window of
// its transcript, a few summaries of sessions elsewhere asked of the backend, and the quick
// switcher's briefs while it is open. Late answers never replace newer ones (tickets). No DOM here.
import type { Api } from '../../ipc';
import { TranscriptWindow } from '../transcriptWindow.svelte';
import type { IndexChanged, ProjectEntry, ProjectIndex, SessionBrief, SessionDetail, SessionSummary } from '../types';
import type { Messages } from './messages.svelte';

/** The CLI session id in a session key (`<dirName>/<sessionId>`); a bare id is returned as it is. */
export function idOfKey(key: string): string {
  const slash = key.lastIndexOf('/');
  return slash >= 0 ? key.slice(slash + 1) : key;
}

/** The backend's session order within a project: newest first (no activity last), then by id, then path. */
export function newestFirst(a: SessionSummary, b: SessionSummary): number {
  const at = a.lastActivityMs ?? null;
  const bt = b.lastActivityMs ?? null;
  if (at !== bt) {
    if (at === null) return 1;
    if (bt === null) return -1;
    return bt - at;
  }
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return a.transcriptPath < b.transcriptPath ? -1 : a.transcriptPath > b.transcriptPath ? 1 : 0;
}

export class BrowseStore {
  /** Summaries fetched by `fetchSession` that are kept (for titles and the open session's head). */
  static fetchedMax = 50;
  /** The projects (without their sessions). Replaced whole on each listing, never changed in place:
   * not deeply reactive. */
  index: ProjectIndex | null = $state.raw(null);
  loadingIndex = $state(false);
  /** `key` of the selected project (`ProjectEntry.key`, unique). */
  selectedProject: string | null = $state(null);
  /**
   * The sessions of project `sessionsOf` as last loaded (`projectSessions`), newest first; only
   * that project's are held (a project can have 10,000). Replaced whole: not deeply reactive.
   */
  sessions: SessionSummary[] = $state.raw([]);
  /** `key` of the project `sessions` belongs to; null before any is loaded. */
  sessionsOf: string | null = $state(null);
  /** `key` of the open session (`SessionSummary.key`; a bare id until a summary is found). */
  selectedSessionKey: string | null = $state(null);
  /** CLI session id of the open session (names, pins, runs and resuming go by it). */
  selectedSessionId: string | null = $state(null);
  /** The loaded window of the open session's transcript; null when none is open. */
  transcript: TranscriptWindow | null = $state(null);
  /**
   * Every session of the last listing, newest first, for the quick switcher: loaded when it opens
   * and dropped when it closes (the window does not keep 10,000 of them); null meanwhile.
   */
  briefs: SessionBrief[] | null = $state.raw(null);
  /**
   * Summaries fetched by `api.findSession` (sessions of other projects than the loaded one), by
   * key; a few only, the newest last. Replaced whole on change.
   */
  private fetched: ReadonlyMap<string, SessionSummary> = $state.raw(new Map());
  /** `projectSessions` answers are taken only for the latest request (see `loadSessions`). */
  private sessionsAsked = 0;
  private readonly api: Api;
  private readonly messages: Messages;

  constructor(api: Api, messages: Messages) {
    this.api = api;
    this.messages = messages;
  }

  /** The open session and its loaded lines; null until the first page is in. */
  get detail(): SessionDetail | null {
    return this.transcript?.detail ?? null;
  }

  /** The open transcript's first page is being loaded. */
  get loadingDetail(): boolean {
    return this.transcript !== null && this.transcript.state === 'loading';
  }

  get projects(): ProjectEntry[] {
    return this.index?.projects ?? [];
  }

  get currentProject(): ProjectEntry | null {
    return this.projects.find((p) => p.key === this.selectedProject) ?? null;
  }

  /** The selected project's loaded sessions, newest first (none while another project's are held). */
  get projectSessions(): SessionSummary[] {
    return this.sessionsOf !== null && this.sessionsOf === this.selectedProject ? this.sessions : [];
  }

  /**
   * The selected session's summary: from the loaded project's sessions, else from the loaded
   * detail (fresh from the backend), else as fetched.
   */
  get currentSession(): SessionSummary | null {
    const key = this.selectedSessionKey;
    if (!key) return null;
    const summary = this.transcript?.summary ?? null;
    return this.loadedSession(key) ??
      (summary && (summary.key === key || summary.id === key) ? summary : null) ??
      this.findByKey(key) ??
      (this.selectedSessionId ? this.findSession(this.selectedSessionId) : null);
  }

  /** Lists the projects afresh (`listProjects`); rejects as the backend does. */
  async listProjects(): Promise<ProjectIndex> {
    const index = await this.api.listProjects();
    this.index = index;
    return index;
  }

  /**
   * Applies an `index://changed` delta in place: the project list is replaced, the loaded
   * project's sessions gain, update or lose the sessions named (ordered as the backend orders
   * them: newest first, then by id and path), fetched summaries are refreshed. Returns false,
   * changing nothing, when there is no listing yet or the selected project is gone (a full
   * listing decides what to select then).
   */
  applyDelta(change: IndexChanged): boolean {
    const index = this.index;
    if (index === null) return false;
    if (this.selectedProject !== null && !change.projects.some((p) => p.key === this.selectedProject)) return false;
    this.index = {
      ...index,
      projects: change.projects,
      scannedFiles: change.projects.reduce((n, p) => n + p.sessionCount, 0),
      expiringSoon: change.projects.reduce((n, p) => n + p.expiringSoon, 0),
    };
    const gone = new Set(change.removed);
    for (const s of change.changed) gone.add(s.key);
    if (this.sessionsOf !== null) {
      const of = this.sessionsOf;
      const sessions = this.sessions.filter((s) => !gone.has(s.key));
      for (const s of change.changed) if (s.projectKey === of) sessions.push(s);
      sessions.sort(newestFirst);
      this.sessions = sessions;
    }
    if (change.changed.some((s) => this.fetched.has(s.key))) {
      const fetched = new Map(this.fetched);
      for (const s of change.changed) if (fetched.has(s.key)) fetched.set(s.key, s);
      this.fetched = fetched;
    }
    return true;
  }

  /** The selected project gone from the listing (or none selected): the first one is selected. */
  keepProjectSelected(index: ProjectIndex): void {
    if (!this.selectedProject || !index.projects.some((p) => p.key === this.selectedProject)) {
      this.selectedProject = index.projects[0]?.key ?? null;
    }
  }

  /**
   * Loads project `key`'s sessions (none for null). Only the answer to the latest request, and only
   * while that project is still the selected one, is taken: a late answer for a project the user
   * left must not replace the list of the one they went to.
   */
  async loadSessions(key: string | null): Promise<void> {
    const ticket = ++this.sessionsAsked;
    if (key === null) {
      this.sessions = [];
      this.sessionsOf = null;
      return;
    }
    try {
      const sessions = await this.api.projectSessions(key);
      if (ticket !== this.sessionsAsked || key !== this.selectedProject) return;
      this.sessions = sessions;
      this.sessionsOf = key;
    } catch (e) {
      if (ticket === this.sessionsAsked) this.messages.report(e);
    }
  }

  /** Selects a project and loads its sessions (the open transcript stays open). */
  selectProject(key: string): Promise<void> {
    this.selectedProject = key;
    return this.loadSessions(key);
  }

  /**
   * Makes session `key` (CLI session id `id`) the open one and loads its transcript's latest
   * lines (or, with `atLine`, the lines from a little before that one); the session open already
   * is read again instead (or moved to `atLine`). `terms` (a search's) are marked in it.
   */
  async openTranscript(key: string, id: string, atLine: number | null = null, terms: string[] = []): Promise<void> {
    const same = this.transcript !== null && this.selectedSessionKey === key;
    this.selectedSessionKey = key;
    this.selectedSessionId = id;
    if (same && this.transcript) {
      this.transcript.terms = terms;
      await (atLine === null ? this.transcript.update() : this.transcript.loadAt(atLine));
      return;
    }
    const window = new TranscriptWindow(this.api, key, (msg) => {
      if (this.transcript === window) this.messages.reportText(msg);
    });
    window.terms = terms;
    this.transcript = window;
    await (atLine === null ? window.loadTail() : window.loadAt(atLine));
  }

  /** Closes the open transcript (the selection too). */
  closeTranscript(): void {
    this.selectedSessionKey = null;
    this.selectedSessionId = null;
    this.transcript = null;
  }

  /**
   * The session with CLI session id `id` among those held (the loaded project's, and those
   * fetched); the newest when the id is in several project dirs (a copied or moved transcript).
   * Sessions of other projects are the backend's to find (`fetchSession`).
   */
  findSession(id: string): SessionSummary | null {
    let best = this.loadedSession(id);
    for (const s of this.fetched.values()) {
      if (s.id === id && (best === null || (s.lastActivityMs ?? 0) > (best.lastActivityMs ?? 0))) best = s;
    }
    return best;
  }

  /** The session with `key` (`SessionSummary.key`) among those held. */
  findByKey(key: string): SessionSummary | null {
    return this.sessions.find((s) => s.key === key) ?? this.fetched.get(key) ?? null;
  }

  /** The session `keyOrId` names (its key, else the newest with that id) among the loaded project's. */
  loadedSession(keyOrId: string): SessionSummary | null {
    let best: SessionSummary | null = null;
    for (const s of this.sessions) {
      if (s.key === keyOrId) return s;
      if (s.id === keyOrId && (best === null || (s.lastActivityMs ?? 0) > (best.lastActivityMs ?? 0))) best = s;
    }
    return best;
  }

  /**
   * The backend's answer for a session key or id (read from disk, any project), kept among the
   * fetched summaries; null when there is none, or when asking failed (reported).
   */
  async fetchSession(keyOrId: string): Promise<SessionSummary | null> {
    let found: SessionSummary | null;
    try {
      found = await this.api.findSession(keyOrId);
    } catch (e) {
      this.messages.report(e);
      return null;
    }
    if (!found) return null;
    const next = new Map(this.fetched);
    next.delete(found.key);
    next.set(found.key, found);
    for (const old of next.keys()) {
      if (next.size <= BrowseStore.fetchedMax) break;
      next.delete(old);
    }
    this.fetched = next;
    return found;
  }

  /**
   * Loads the quick switcher's briefs (`briefs`; an empty list when asking failed, which is
   * reported). Returns the function that drops them, after which a late answer is not taken.
   */
  loadBriefs(): () => void {
    let dropped = false;
    this.api.sessionBriefs().then(
      (list) => {
        if (!dropped) this.briefs = list;
      },
      (e) => {
        if (dropped) return;
        this.briefs = [];
        this.messages.report(e);
      },
    );
    return () => {
      dropped = true;
      this.briefs = null;
    };
  }
}
