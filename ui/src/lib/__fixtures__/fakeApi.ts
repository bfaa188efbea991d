// A scriptable stand-in for the Tauri backend, for component and model tests.
import { vi, type Mock } from 'vitest';
import type { Api } from '../../ipc';
import type {
  DragDropEvent,
  Entry,
  IndexChanged,
  OpenRequest,
  PagedEntry,
  PoolSnapshot,
  Registry,
  RegistryEntry,
  SessionDetail,
  SessionEvent,
  SessionIndex,
  SessionInfo,
  SessionSummary,
  Settings,
  SettingsView,
  StartRequest,
} from '../types';
import { briefs, defaultSettings, detail, index, listedSessions, paged, projectIndex, usageReport } from './data';

export { sessionInfo } from './data';

export interface FakeApi extends Api {
  /** Sends an event on the channel of the latest `startSession` (or of run `runId`). */
  emit(ev: SessionEvent, runId?: string): void;
  /** Sends a `pool://session` event to every listener. */
  emitPool(info: SessionInfo): void;
  lastRequest(): StartRequest | undefined;
  /** Run ids of the sessions started so far, in order. */
  runIds(): string[];
  /** The fake backend's registry (rename and pin change it as the backend does). */
  registryState: Registry;
  /** The fake backend's settings (saveSettings changes them). */
  settingsState: Settings;
  /** Sends an `app://open` request to every listener. */
  emitOpen(request: OpenRequest): void;
  /**
   * Sends `index://changed` to every listener, as the backend does after its index took in the
   * disk's state now: the sessions with these ids as listed now, those gone, the project list.
   */
  emitIndexChanged(sessionIds?: string[]): void;
  /**
   * Sends `registry://changed` to every listener: `registry` as given, else a copy of
   * `registryState`. Rename and pin send it themselves, as the backend does after each save.
   */
  emitRegistryChanged(registry?: unknown): void;
  /** Sends a window drag-and-drop event to every listener. */
  emitDragDrop(event: DragDropEvent): void;
  mocks: { [K in keyof Api]: Mock<Api[K]> };
}

/**
 * A detail's transcript as the whole file: raw `Entry`s pushed into it by a test become lines after
 * the paged ones, and `total` covers every line.
 */
function wholeFile(d: SessionDetail): SessionDetail {
  const out: PagedEntry[] = [];
  for (const e of d.transcript.entries as (PagedEntry | Entry)[]) {
    if (typeof e.entry === 'object' && e.entry !== null) out.push(e as PagedEntry);
    else out.push(...paged([e as Entry], (out.at(-1)?.index ?? -1) + 1));
  }
  const total = Math.max(d.transcript.total ?? 0, (out.at(-1)?.index ?? -1) + 1);
  return { ...d, transcript: { ...d.transcript, from: 0, to: total, total, entries: out } };
}

/** Serves lines `[from, from + limit)` of a whole-file detail (no `from`: the last `limit`). */
export function pageOf(d: SessionDetail, from?: number | null, limit?: number | null): SessionDetail {
  const whole = wholeFile(d);
  const total = whole.transcript.total;
  const n = Math.min(Math.max(1, limit ?? 200), 1000);
  const start = from == null ? Math.max(0, total - n) : Math.min(Math.max(0, from), total);
  const end = Math.min(total, start + n);
  const all = start === 0 && end === total;
  return {
    summary: whole.summary,
    transcript: {
      ...whole.transcript,
      from: start,
      to: end,
      entries: whole.transcript.entries.filter((e) => e.index >= start && e.index < end),
      malformedLines: all ? whole.transcript.malformedLines : 0,
      incompleteTail: end === total && whole.transcript.incompleteTail,
    },
  };
}

export function fakeApi(
  opts: {
    /**
     * The transcripts on disk, as one listing (called afresh each time): `listProjects` lists it and
     * keeps it for `projectSessions` and `sessionBriefs`, as the backend does; `findSession` and
     * `showSession` read it as it is now.
     */
    index?: () => SessionIndex;
    /** The whole transcript of session `id` (file `key`); the fake serves pages of it. */
    detail?: (id: string, key: string) => SessionDetail;
    pool?: () => PoolSnapshot;
    registry?: Registry;
    settings?: Settings;
    intents?: OpenRequest[];
  } = {},
): FakeApi {
  let settingsState: Settings = structuredClone(opts.settings ?? defaultSettings());
  const openListeners = new Set<(r: OpenRequest) => void>();
  const indexListeners = new Set<(change: IndexChanged) => void>();
  const registryListeners = new Set<(r: Registry) => void>();
  /** `registry://changed` with the registry as it is now, as the backend sends after a save. */
  const registrySaved = () => {
    for (const cb of registryListeners) cb(structuredClone(registryState));
  };
  const dropListeners = new Set<(e: DragDropEvent) => void>();
  let intents = [...(opts.intents ?? [])];
  const view = (): SettingsView => ({
    settings: structuredClone(settingsState),
    claude: { found: { path: '/usr/local/bin/claude', source: 'path', version: '2.1.112 (Claude Code)' }, tried: [] },
    notices: [],
    configDirInUse: '/home/dev/.claude',
  });
  const registryState: Registry = structuredClone(opts.registry ?? { version: 1, sessions: {} });
  const entry = (id: string): RegistryEntry =>
    (registryState.sessions[id] ??= { name: null, pinned: false, cwd: null, lastState: null, lastRunAtMs: 0, history: [] });
  const channels = new Map<string, (ev: SessionEvent) => void>();
  let latest: ((ev: SessionEvent) => void) | null = null;
  const poolListeners = new Set<(info: SessionInfo) => void>();
  const onDisk = (): SessionIndex => opts.index?.() ?? index();
  /** The last listing (`listProjects`); null before the first. */
  let listing: SessionIndex | null = null;
  /** The session a key names (a bare id: the newest of that id) on disk now. */
  const sessionOnDisk = (key: string): SessionSummary | null => {
    const all = listedSessions(onDisk());
    return all.find((x) => x.key === key) ??
      all.filter((x) => x.id === key).sort((a, b) => (b.lastActivityMs ?? 0) - (a.lastActivityMs ?? 0))[0] ??
      null;
  };
  /** The session a key names, and its whole transcript. */
  const wholeDetail = (key: string): SessionDetail => {
    const s = sessionOnDisk(key);
    if (opts.detail) return opts.detail(s?.id ?? key, s?.key ?? key);
    if (!s) throw { kind: 'unknown_session', message: `No session ${key}.` };
    return detail({}, s);
  };
  let runs = 0;
  const requests: StartRequest[] = [];
  const ids: string[] = [];
  const mocks: FakeApi['mocks'] = {
    listProjects: vi.fn<Api['listProjects']>(async () => {
      listing = onDisk();
      return projectIndex(listing);
    }),
    projectSessions: vi.fn<Api['projectSessions']>(async (projectKey: string) =>
      listing ? listedSessions(listing).filter((s) => s.projectKey === projectKey) : [],
    ),
    findSession: vi.fn<Api['findSession']>(async (keyOrId: string) => sessionOnDisk(keyOrId)),
    sessionBriefs: vi.fn<Api['sessionBriefs']>(async () => (listing ? briefs(listing) : [])),
    // Every word must be in the session's title (a stand-in for the backend's full-text search).
    searchSessions: vi.fn<Api['searchSessions']>(async (query: string, limit: number) => {
      const words = query.toLowerCase().split(/\s+/).filter(Boolean);
      const sessions = listedSessions(onDisk())
        .filter((s) => words.every((w) => s.title.toLowerCase().includes(w)))
        .slice(0, limit)
        .map((session) => {
          const at = session.title.toLowerCase().indexOf(words[0] ?? '');
          return {
            session,
            hitCount: 1,
            score: 1,
            hits: [{ line: 1, uuid: null, timestamp: null, kind: 'prompt' as const, subagent: null, snippet: session.title,
              marks: at >= 0 && words[0] ? [[at, at + words[0].length] as [number, number]] : [] }],
          };
        });
      return { sessions, terms: words, truncated: false, partial: false };
    }),
    showSession: vi.fn<Api['showSession']>(async (key: string, req) => {
      const whole = wholeDetail(key);
      return pageOf(whole, req?.from, req?.limit);
    }),
    transcriptEntry: vi.fn<Api['transcriptEntry']>(async (key: string, lineIndex: number) => {
      const found = wholeFile(wholeDetail(key)).transcript.entries.find((e) => e.index === lineIndex);
      if (!found) throw { kind: 'invalid_input', message: `No line ${lineIndex} in ${key}.` };
      return { ...found, cut: false };
    }),
    startSession: vi.fn<Api['startSession']>(async (request: StartRequest, cb: (ev: SessionEvent) => void) => {
      requests.push(request);
      runs += 1;
      const runId = `run-${runs}`;
      ids.push(runId);
      channels.set(runId, cb);
      latest = cb;
      return { runId };
    }),
    sendPrompt: vi.fn<Api['sendPrompt']>(async () => {}),
    interruptSession: vi.fn<Api['interruptSession']>(async () => 'turnEnded' as const),
    answerPermission: vi.fn<Api['answerPermission']>(async () => {}),
    setPermissionMode: vi.fn<Api['setPermissionMode']>(async () => {}),
    rewindFiles: vi.fn<Api['rewindFiles']>(async (_runId, _uuid, dryRun) => ({ dryRun, filesChanged: [], insertions: 0, deletions: 0 })),
    closeSession: vi.fn<Api['closeSession']>(async () => {}),
    attachSession: vi.fn<Api['attachSession']>(async (runId: string, cb: (ev: SessionEvent) => void) => {
      channels.set(runId, cb);
      const info = (opts.pool?.().sessions ?? []).find((s) => s.runId === runId);
      if (!info) throw { kind: 'unknown_run', message: `no live session ${runId}` };
      return info;
    }),
    poolSnapshot: vi.fn<Api['poolSnapshot']>(async () =>
      opts.pool ? opts.pool() : { sessions: [], byState: {}, live: 0, maxSessions: 8, totalCreated: runs },
    ),
    appInfo: vi.fn<Api['appInfo']>(async () => ({
      configDir: '/home/dev/.claude',
      claude: { path: '/usr/local/bin/claude', error: null },
      version: '0.1.0',
      maxSessions: 8,
      profiles: [],
      notices: [],
    })),
    registry: vi.fn<Api['registry']>(async () => structuredClone(registryState)),
    renameSession: vi.fn<Api['renameSession']>(async (id: string, name: string) => {
      const clean = name.trim();
      entry(id).name = clean === '' ? null : [...clean].slice(0, 200).join('');
      registrySaved();
      return structuredClone(registryState);
    }),
    pinSession: vi.fn<Api['pinSession']>(async (id: string, pinned: boolean) => {
      entry(id).pinned = pinned;
      registrySaved();
      return structuredClone(registryState);
    }),
    onPoolChange: vi.fn<Api['onPoolChange']>(async (cb: (info: SessionInfo) => void) => {
      poolListeners.add(cb);
      return () => poolListeners.delete(cb);
    }),
    pickFolder: vi.fn<Api['pickFolder']>(async () => '/picked/folder'),
    exportSession: vi.fn<Api['exportSession']>(async (_key: string, format, name: string) => ({
      path: `/picked/${name}`,
      stats: { prompts: 1, toolCalls: 0, subagents: 0, bytes: format === 'html' ? 2048 : 512 },
    })),
    settings: vi.fn<Api['settings']>(async () => view()),
    saveSettings: vi.fn<Api['saveSettings']>(async (s: Settings) => {
      if (s.trayRecent < 1 || s.trayRecent > 50) {
        throw { kind: 'invalid_input', message: `settings: the tray lists 1 to 50 recent sessions, not ${s.trayRecent}` };
      }
      settingsState = structuredClone(s);
      return view();
    }),
    discoverClaude: vi.fn<Api['discoverClaude']>(async (path: string | null) =>
      path === '/nowhere/claude'
        ? { found: null, tried: ['/nowhere/claude (the settings; not an executable file)', 'claude on PATH'] }
        : { found: { path: path ?? '/usr/local/bin/claude', source: path ? 'setting' : 'path', version: '2.1.112 (Claude Code)' }, tried: [] },
    ),
    classifyDrop: vi.fn<Api['classifyDrop']>(async (paths: string[], target) => {
      if (target === 'promptBox') return { kind: 'mention', text: paths.map((p) => `@${p}`).join(' ') };
      if (paths.length === 1 && !paths[0].includes('.')) return { kind: 'folder', path: paths[0] };
      return { kind: 'rejected', message: `${paths.length} items were dropped. Drop one folder to start a session there.` };
    }),
    takeLaunchIntents: vi.fn<Api['takeLaunchIntents']>(async () => {
      const taken = intents;
      intents = [];
      return taken;
    }),
    trayMenu: vi.fn<Api['trayMenu']>(async () => ({
      items: [
        { kind: 'header', label: 'Recent' },
        { kind: 'action', label: 'Fix the parser', action: { kind: 'resume', sessionId: 's1' }, enabled: true },
        { kind: 'separator' },
        { kind: 'action', label: 'Quit ccdesk', action: { kind: 'quit' }, enabled: true },
      ],
      tooltip: 'ccdesk — nothing running',
    })),
    trayAction: vi.fn<Api['trayAction']>(async () => {}),
    vaultStats: vi.fn<Api['vaultStats']>(async () => null),
    usageReport: vi.fn<Api['usageReport']>(async (by) => usageReport(by)),
    openInTerminal: vi.fn<Api['openInTerminal']>(async () => '/usr/bin/x-terminal-emulator'),
    sessionActivity: vi.fn<Api['sessionActivity']>(async () => null),
    cliAgents: vi.fn<Api['cliAgents']>(async () => ({ offered: true, agents: [], skipped: 0, cliVersion: '2.1.330 (Claude Code)' })),
    sessionChanges: vi.fn<Api['sessionChanges']>(async () => ({ turns: [], added: 0, removed: 0, malformedLines: 0 })),
    terminalCommand: vi.fn<Api['terminalCommand']>(async (key) => `cd '/home/dev/proj' && '/usr/local/bin/claude' --resume '${key.split('/').pop()}'`),
    copyText: vi.fn<Api['copyText']>(async () => {}),
    restoreSession: vi.fn<Api['restoreSession']>(async (sessionKey: string) => ({
      transcript: `/home/dev/.claude/projects/${sessionKey}.jsonl`,
      files: 1,
      bytes: 100,
    })),
    onAppOpen: vi.fn<Api['onAppOpen']>(async (cb: (r: OpenRequest) => void) => {
      openListeners.add(cb);
      return () => openListeners.delete(cb);
    }),
    onIndexChanged: vi.fn<Api['onIndexChanged']>(async (cb: (change: IndexChanged) => void) => {
      indexListeners.add(cb);
      return () => indexListeners.delete(cb);
    }),
    onSearchProgress: vi.fn<Api['onSearchProgress']>(async () => () => {}),
    onRegistryChanged: vi.fn<Api['onRegistryChanged']>(async (cb: (r: Registry) => void) => {
      registryListeners.add(cb);
      return () => registryListeners.delete(cb);
    }),
    onDragDrop: vi.fn<Api['onDragDrop']>(async (cb: (e: DragDropEvent) => void) => {
      dropListeners.add(cb);
      return () => dropListeners.delete(cb);
    }),
  };
  return {
    ...mocks,
    mocks,
    emit(ev, runId) {
      const cb = runId ? channels.get(runId) : latest;
      if (!cb) throw new Error(runId ? `no channel for ${runId}` : 'no session started');
      cb(ev);
    },
    emitPool(info) {
      for (const cb of poolListeners) cb(info);
    },
    lastRequest: () => requests.at(-1),
    runIds: () => [...ids],
    registryState,
    get settingsState() {
      return settingsState;
    },
    emitOpen(request) {
      for (const cb of openListeners) cb(request);
    },
    emitIndexChanged(sessionIds = []) {
      // As the backend: its index takes the disk's state in, then the delta is sent.
      const before = listing ?? onDisk();
      listing = onDisk();
      const named = new Set(sessionIds);
      const now = listedSessions(listing);
      const change: IndexChanged = {
        sessionIds: [...named].sort(),
        changed: now.filter((x) => named.has(x.id)),
        removed: listedSessions(before)
          .filter((x) => named.has(x.id) && !now.some((n) => n.key === x.key))
          .map((x) => x.key),
        projects: projectIndex(listing).projects,
      };
      for (const cb of indexListeners) cb(change);
    },
    emitRegistryChanged(registry) {
      if (registry === undefined) registrySaved();
      else for (const cb of registryListeners) cb(registry as Registry);
    },
    emitDragDrop(event) {
      for (const cb of dropListeners) cb(event);
    },
  };
}
