// The one seam between the UI and the Tauri backend: with the generated `./bindings.ts` under it,
// the only module that reaches `@tauri-apps/*` (`./prefs.ts` does the same for the UI's own
// preferences). Components never call Tauri directly; they receive an `Api` (this file's
// `tauriApi` in the app, a fake in tests), so everything above this file runs without a desktop.
// The commands, events and types come from the Rust code (`./bindings.ts`, generated): a call here
// that does not match the backend does not type-check.
import { Channel } from '@tauri-apps/api/core';
import { getCurrentWebview } from '@tauri-apps/api/webview';
import { open, save } from '@tauri-apps/plugin-dialog';
import { writeText } from '@tauri-apps/plugin-clipboard-manager';
import { commands, events } from './bindings';
import type {
  AppInfo,
  ClaudeDiscovery,
  DragDropEvent,
  DropOutcome,
  DropTarget,
  IndexChanged,
  SearchIndexing,
  SearchResults,
  OpenRequest,
  PagedEntry,
  PageRequest,
  Settings,
  SettingsView,
  TrayAction,
  TrayMenu,
  ExportFormat,
  ExportStats,
  RestoreReport,
  VaultStats,
  UsageBy,
  UsageReport,
  SessionChanges,
  RewindOutcome,
  AgentListing,
  Elsewhere,
  InterruptOutcome,
  PermissionAnswer,
  PermissionMode,
  PoolSnapshot,
  ProjectIndex,
  Registry,
  SessionBrief,
  SessionDetail,
  SessionEvent,
  SessionInfo,
  SessionSummary,
  Started,
  StartRequest,
} from './lib/types';

export type * from './lib/types';


/** Everything the UI asks of the backend. Each call rejects with a `CommandError` on failure. */
export interface Api {
  /**
   * The projects, newest first, without their sessions. Lists the transcripts afresh; the backend
   * keeps this listing for `projectSessions` and `sessionBriefs`.
   */
  listProjects(): Promise<ProjectIndex>;
  /** A project's sessions from the last listing, newest first; `[]` for a key not (or no longer) listed. */
  projectSessions(projectKey: string): Promise<SessionSummary[]>;
  /**
   * A session by its `key`, or by bare CLI session id (the newest with that id), read from disk
   * (works before any listing); null when there is none.
   */
  findSession(keyOrId: string): Promise<SessionSummary | null>;
  /** Every session of the last listing, newest first, as the quick switcher lists them. */
  sessionBriefs(): Promise<SessionBrief[]>;
  /**
   * Full-text search over every transcript: sessions best first (at most `limit`), each with its
   * best hits; `partial` while the search index is still being built.
   */
  searchSessions(query: string, limit: number): Promise<SearchResults>;
  /**
   * A session and one page of its transcript's lines (`page.from` absent: the last `page.limit`
   * lines; limit 200 by default, at most 1000). `sessionKey` is `SessionSummary.key`; a bare CLI
   * session id is taken too.
   */
  showSession(sessionKey: string, page?: PageRequest): Promise<SessionDetail>;
  /** Line `index` of a session's transcript, whole (not cut to the page's budget). */
  transcriptEntry(sessionKey: string, index: number): Promise<PagedEntry>;
  /**
   * Starts (or resumes) a session; `onEvent` receives its events in order, possibly before this
   * resolves. Resuming a session that is live already returns that session's run id.
   */
  startSession(request: StartRequest, onEvent: (event: SessionEvent) => void): Promise<Started>;
  /** A prompt to a live session (its process is started again first if it has ended). */
  sendPrompt(runId: string, prompt: string): Promise<void>;
  /** Interrupts the running turn; resolves when the interrupt has completed. */
  interruptSession(runId: string): Promise<InterruptOutcome>;
  answerPermission(runId: string, requestId: string, answer: PermissionAnswer): Promise<void>;
  setPermissionMode(runId: string, mode: PermissionMode): Promise<void>;
  /**
   * Rewinds the files a live session changed from the prompt `userMessageId` (its transcript
   * line's uuid) on to what they were before it; `dryRun` only says what would change.
   */
  rewindFiles(runId: string, userMessageId: string, dryRun: boolean): Promise<RewindOutcome>;
  /** Ends a session's process and removes it from the pool (the transcript stays resumable). */
  closeSession(runId: string): Promise<void>;
  /** Routes a live session's events to `onEvent` from now on (after a reload); returns its info. */
  attachSession(runId: string, onEvent: (event: SessionEvent) => void): Promise<SessionInfo>;
  poolSnapshot(): Promise<PoolSnapshot>;
  appInfo(): Promise<AppInfo>;
  /** ccdesk's own memory of sessions: names, pins, run history. */
  registry(): Promise<Registry>;
  /** Names a session (a blank name removes the name); resolves to the registry after the change. */
  renameSession(sessionId: string, name: string): Promise<Registry>;
  /** Pins or unpins a session; resolves to the registry after the change. */
  pinSession(sessionId: string, pinned: boolean): Promise<Registry>;
  /** Calls `cb` with every `pool://session` event; resolves to the function that stops it. */
  onPoolChange(cb: (info: SessionInfo) => void): Promise<() => void>;
  /** Native folder picker; null when cancelled. */
  pickFolder(defaultPath?: string): Promise<string | null>;
  /**
   * Exports a session as Markdown or HTML to a file the user picks in the save dialog (offered
   * `suggestedName`); resolves to what was written and where, or null when the dialog was cancelled.
   */
  exportSession(sessionKey: string, format: ExportFormat, suggestedName: string): Promise<{ path: string; stats: ExportStats } | null>;
  /** The settings, where `claude` is found with them, and notices about the settings file. */
  settings(): Promise<SettingsView>;
  /** Validates, saves and applies settings; rejects with kind `invalid_input` naming the field. */
  saveSettings(settings: Settings): Promise<SettingsView>;
  /** Where `claude` would be found with `path` configured (null: automatically), with its version. */
  discoverClaude(path: string | null): Promise<ClaudeDiscovery>;
  /** What dropping `paths` on `target` does. */
  classifyDrop(paths: string[], target: DropTarget): Promise<DropOutcome>;
  /** Open requests that came before the UI listened (command line, second launch, tray). */
  takeLaunchIntents(): Promise<OpenRequest[]>;
  /** The tray menu as a model (the window shows the same menu). */
  trayMenu(): Promise<TrayMenu>;
  /** Does what the tray item with this action does. */
  trayAction(action: TrayAction): Promise<void>;
  /** What the transcript vault holds; null when there is none (never turned on, nothing archived). */
  vaultStats(): Promise<VaultStats | null>;
  /** The `claude` outside ccdesk writing the session right now, or null. */
  sessionActivity(sessionKey: string): Promise<Elsewhere | null>;
  /** What each turn of the session changed in files (unified diffs per file). */
  sessionChanges(sessionKey: string): Promise<SessionChanges>;
  /**
   * The sessions the CLI itself reports as live (`claude agents --json --all`, CLI 2.1.145+):
   * interactive `claude`s in terminals and background jobs, with what each is doing.
   */
  cliAgents(): Promise<AgentListing>;
  /** Starts the user's terminal resuming the session; resolves to the terminal started. */
  openInTerminal(sessionKey: string): Promise<string>;
  /** The shell command line that resumes the session (`cd '<dir>' && '<claude>' --resume '<id>'`). */
  terminalCommand(sessionKey: string): Promise<string>;
  /** Puts `text` on the system clipboard. */
  copyText(text: string): Promise<void>;
  /**
   * Tokens and dollars of every transcript, per day (oldest first), session or project (most
   * expensive first), between two local days (`YYYY-MM-DD`, inclusive; null: open).
   */
  usageReport(by: UsageBy, since: string | null, until: string | null): Promise<UsageReport>;
  /** Writes an archived session back where the CLI looks for it (never over a file), then lists again. */
  restoreSession(sessionKey: string): Promise<RestoreReport>;
  /** Calls `cb` with every `app://open` request; resolves to the function that stops it. */
  onAppOpen(cb: (request: OpenRequest) => void): Promise<() => void>;
  /**
   * Calls `cb` with every `index://changed` delta (the sessions changed or gone, the project list
   * after), as the backend's index takes changes to the transcripts in.
   */
  onIndexChanged(cb: (change: IndexChanged) => void): Promise<() => void>;
  /** Calls `cb` with every `search://progress` (how far the search index's build is). */
  onSearchProgress(cb: (indexing: SearchIndexing) => void): Promise<() => void>;
  /**
   * Calls `cb` with the registry after every save of it (`registry://changed`); resolves to the
   * function that stops it. The payload is the backend's JSON, to be read with `normalizeRegistry`.
   */
  onRegistryChanged(cb: (registry: Registry) => void): Promise<() => void>;
  /** Calls `cb` with the window's drag-and-drop events (files and folders from the desktop). */
  onDragDrop(cb: (event: DragDropEvent) => void): Promise<() => void>;
}

/** User Timing measures kept at most (the oldest are cleared past it). */
const MAX_MEASURES = 1000;
let measures = 0;

/**
 * A generated command's call, with its round trip (request to parsed answer) recorded as a User
 * Timing measure named `ipc <command>` (`performance.getEntriesByName`), which the GUI benchmark
 * reads.
 */
function measured<T>(command: string, answer: Promise<T>): Promise<T> {
  const start = performance.now();
  return answer.finally(() => {
    if (++measures > MAX_MEASURES) {
      performance.clearMeasures();
      measures = 1;
    }
    try {
      performance.measure(`ipc ${command}`, { start, end: performance.now() });
    } catch {
      // An engine without User Timing level 3 records nothing.
    }
  });
}

/** The channel type the generated `startSession` / `attachSession` take. */
type EventChannel = Parameters<typeof commands.startSession>[1];

/**
 * A channel delivering a live session's events to `onEvent`. tauri-specta types a channel argument
 * with the Rust type's deserialize phase, but what flows through it is what Rust serializes
 * (`SessionEvent`), hence the one cast.
 */
function channel(onEvent: (event: SessionEvent) => void): EventChannel {
  const ch = new Channel<SessionEvent>();
  ch.onmessage = onEvent;
  return ch as unknown as EventChannel;
}

/**
 * Saves the UI's own preferences (what `./prefs.ts` last set in the store plugin's `ui-prefs.json`
 * store): the core writes the file atomically, where the plugin's own save would write in place.
 */
export const saveUiPrefs = (): Promise<null> => measured('save_ui_prefs', commands.saveUiPrefs());

/** The Api over the generated bindings: every call goes to the command of the same name. */
export const tauriApi: Api = {
  listProjects: () => measured('list_projects', commands.listProjects()),
  projectSessions: (projectKey) => measured('project_sessions', commands.projectSessions(projectKey)),
  findSession: (keyOrId) => measured('find_session', commands.findSession(keyOrId)),
  sessionBriefs: () => measured('session_briefs', commands.sessionBriefs()),
  searchSessions: (query, limit) => measured('search_sessions', commands.searchSessions(query, limit)),
  showSession: (sessionKey, page) =>
    measured('show_session', commands.showSession(sessionKey, page?.from ?? null, page?.limit ?? null)),
  transcriptEntry: (sessionKey, index) => measured('transcript_entry', commands.transcriptEntry(sessionKey, index)),
  startSession: (request, onEvent) => measured('start_session', commands.startSession(request, channel(onEvent))),
  sendPrompt: async (runId, prompt) => {
    await measured('send_prompt', commands.sendPrompt(runId, prompt));
  },
  interruptSession: (runId) => measured('interrupt_session', commands.interruptSession(runId)),
  answerPermission: async (runId, requestId, answer) => {
    await measured('answer_permission', commands.answerPermission(runId, requestId, answer));
  },
  setPermissionMode: async (runId, mode) => {
    await measured('set_permission_mode', commands.setPermissionMode(runId, mode));
  },
  rewindFiles: (runId, userMessageId, dryRun) => measured('rewind_files', commands.rewindFiles(runId, userMessageId, dryRun)),
  closeSession: async (runId) => {
    await measured('close_session', commands.closeSession(runId));
  },
  attachSession: (runId, onEvent) => measured('attach_session', commands.attachSession(runId, channel(onEvent))),
  poolSnapshot: () => measured('pool_snapshot', commands.poolSnapshot()),
  appInfo: () => measured('app_info', commands.appInfo()),
  registry: () => measured('registry', commands.registry()),
  renameSession: (sessionId, name) => measured('rename_session', commands.renameSession(sessionId, name)),
  pinSession: (sessionId, pinned) => measured('pin_session', commands.pinSession(sessionId, pinned)),
  onPoolChange: (cb) => events.poolSession.listen((e) => cb(e.payload)),
  settings: () => measured('settings', commands.settings()),
  saveSettings: (settings) => measured('save_settings', commands.saveSettings(settings)),
  discoverClaude: (path) => measured('discover_claude', commands.discoverClaude(path)),
  classifyDrop: (paths, target) => measured('classify_drop', commands.classifyDrop(paths, target)),
  takeLaunchIntents: () => measured('take_launch_intents', commands.takeLaunchIntents()),
  trayMenu: () => measured('tray_menu', commands.trayMenu()),
  trayAction: async (action) => {
    await measured('tray_action', commands.trayAction(action));
  },
  vaultStats: () => measured('vault_stats', commands.vaultStats()),
  restoreSession: (sessionKey) => measured('restore_session', commands.restoreSession(sessionKey)),
  usageReport: (by, since, until) => measured('usage_report', commands.usageReport(by, since, until)),
  openInTerminal: (sessionKey) => measured('open_in_terminal', commands.openInTerminal(sessionKey)),
  sessionChanges: (sessionKey) => measured('session_changes', commands.sessionChanges(sessionKey)),
  cliAgents: () => measured('cli_agents', commands.cliAgents()),
  sessionActivity: (sessionKey) => measured('session_activity', commands.sessionActivity(sessionKey)),
  terminalCommand: (sessionKey) => measured('terminal_command', commands.terminalCommand(sessionKey)),
  copyText: (text) => writeText(text),
  onAppOpen: (cb) => events.appOpen.listen((e) => cb(e.payload)),
  onIndexChanged: (cb) =>
    events.indexChanged.listen((e) => {
      if (e.payload) cb(e.payload as IndexChanged);
    }),
  onRegistryChanged: (cb) => events.registryChanged.listen((e) => cb(e.payload)),
  onSearchProgress: (cb) =>
    events.searchProgress.listen((e) => {
      if (e.payload) cb(e.payload);
    }),
  onDragDrop: (cb) =>
    getCurrentWebview().onDragDropEvent((e) => {
      const p = e.payload;
      if (p.type === 'leave') cb({ type: 'leave', paths: [], position: null });
      else if (p.type === 'over') cb({ type: 'over', paths: [], position: { x: p.position.x, y: p.position.y } });
      else cb({ type: p.type, paths: p.paths, position: { x: p.position.x, y: p.position.y } });
    }),
  async exportSession(sessionKey, format, suggestedName) {
    const extension = format === 'html' ? 'html' : 'md';
    const path = await save({
      defaultPath: suggestedName,
      filters: [{ name: format === 'html' ? 'HTML' : 'Markdown', extensions: [extension] }],
    });
    if (!path) return null;
    const stats = await measured('export_session', commands.exportSession(sessionKey, format, path));
    return { path, stats };
  },
  async pickFolder(defaultPath) {
    const picked = await open({ directory: true, multiple: false, defaultPath: defaultPath || undefined });
    if (Array.isArray(picked)) return picked[0] ?? null;
    return picked ?? null;
  },
};
