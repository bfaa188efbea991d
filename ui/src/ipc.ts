// The one seam between the UI and the Tauri backend: the only module that imports `@tauri-apps/*`
// (but for the store plugin, which keeps the UI's own preferences: `prefs.ts`, the seam to them).
// Components never call Tauri directly; they receive an `Api` (this file's `tauriApi` in the app,
// a fake in tests), so everything above this file runs without a desktop.
import { Channel, invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import { getCurrentWebview } from '@tauri-apps/api/webview';
import { open } from '@tauri-apps/plugin-dialog';
import type {
  AppInfo,
  ClaudeDiscovery,
  DragDropEvent,
  DropOutcome,
  DropTarget,
  OpenRequest,
  PagedEntry,
  PageRequest,
  Settings,
  SettingsView,
  TrayAction,
  TrayMenu,
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

/** The global event carrying a `SessionInfo` on every state or metrics change of any session. */
export const POOL_EVENT = 'pool://session';

/** The event asking the window to open something (`OpenRequest`). */
export const OPEN_EVENT = 'app://open';
/** The event saying the CLI's transcripts changed; payload `{ sessionIds }` (the changed ones). */
export const INDEX_EVENT = 'index://changed';
/**
 * The event saying ccdesk's registry (names, pins, run history) was saved; payload the registry as
 * saved, the shape `registry` answers. Sent after every save (a rename, a pin, a run's new state).
 */
export const REGISTRY_EVENT = 'registry://changed';

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
  /** Calls `cb` with every `app://open` request; resolves to the function that stops it. */
  onAppOpen(cb: (request: OpenRequest) => void): Promise<() => void>;
  /** Calls `cb` with the ids of the sessions whose transcripts changed, as they change. */
  onIndexChanged(cb: (sessionIds: string[]) => void): Promise<() => void>;
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
 * `invoke`, with each call's round trip (request to parsed answer) recorded as a User Timing
 * measure named `ipc <command>` (`performance.getEntriesByName`), which the GUI benchmark reads.
 */
function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  const start = performance.now();
  // No arguments: none passed (not an explicit undefined), as `invoke` is called without them.
  const answer = args === undefined ? invoke<T>(command) : invoke<T>(command, args);
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

function channel(onEvent: (event: SessionEvent) => void): Channel<SessionEvent> {
  const ch = new Channel<SessionEvent>();
  ch.onmessage = onEvent;
  return ch;
}

export const tauriApi: Api = {
  listProjects: () => call<ProjectIndex>('list_projects'),
  projectSessions: (projectKey) => call<SessionSummary[]>('project_sessions', { projectKey }),
  findSession: (keyOrId) => call<SessionSummary | null>('find_session', { keyOrId }),
  sessionBriefs: () => call<SessionBrief[]>('session_briefs'),
  showSession: (sessionKey, page) =>
    call<SessionDetail>('show_session', { sessionKey, from: page?.from ?? null, limit: page?.limit ?? null }),
  transcriptEntry: (sessionKey, index) => call<PagedEntry>('transcript_entry', { sessionKey, index }),
  startSession: (request, onEvent) => call<Started>('start_session', { request, onEvent: channel(onEvent) }),
  sendPrompt: async (runId, prompt) => {
    await call<null>('send_prompt', { runId, prompt });
  },
  interruptSession: (runId) => call<InterruptOutcome>('interrupt_session', { runId }),
  answerPermission: async (runId, requestId, answer) => {
    await call<null>('answer_permission', { runId, requestId, answer });
  },
  setPermissionMode: async (runId, mode) => {
    await call<null>('set_permission_mode', { runId, mode });
  },
  closeSession: async (runId) => {
    await call<null>('close_session', { runId });
  },
  attachSession: (runId, onEvent) => call<SessionInfo>('attach_session', { runId, onEvent: channel(onEvent) }),
  poolSnapshot: () => call<PoolSnapshot>('pool_snapshot'),
  appInfo: () => call<AppInfo>('app_info'),
  registry: () => call<Registry>('registry'),
  renameSession: (sessionId, name) => call<Registry>('rename_session', { sessionId, name }),
  pinSession: (sessionId, pinned) => call<Registry>('pin_session', { sessionId, pinned }),
  onPoolChange: (cb) => listen<SessionInfo>(POOL_EVENT, (e) => cb(e.payload)),
  settings: () => call<SettingsView>('settings'),
  saveSettings: (settings) => call<SettingsView>('save_settings', { settings }),
  discoverClaude: (path) => call<ClaudeDiscovery>('discover_claude', { path }),
  classifyDrop: (paths, target) => call<DropOutcome>('classify_drop', { paths, target }),
  takeLaunchIntents: () => call<OpenRequest[]>('take_launch_intents'),
  trayMenu: () => call<TrayMenu>('tray_menu'),
  trayAction: async (action) => {
    await call<null>('tray_action', { action });
  },
  onAppOpen: (cb) => listen<OpenRequest>(OPEN_EVENT, (e) => cb(e.payload)),
  onIndexChanged: (cb) => listen<{ sessionIds?: string[] } | null>(INDEX_EVENT, (e) => cb(e.payload?.sessionIds ?? [])),
  onRegistryChanged: (cb) => listen<Registry>(REGISTRY_EVENT, (e) => cb(e.payload)),
  onDragDrop: (cb) =>
    getCurrentWebview().onDragDropEvent((e) => {
      const p = e.payload;
      if (p.type === 'leave') cb({ type: 'leave', paths: [], position: null });
      else if (p.type === 'over') cb({ type: 'over', paths: [], position: { x: p.position.x, y: p.position.y } });
      else cb({ type: p.type, paths: p.paths, position: { x: p.position.x, y: p.position.y } });
    }),
  async pickFolder(defaultPath) {
    const picked = await open({ directory: true, multiple: false, defaultPath: defaultPath || undefined });
    if (Array.isArray(picked)) return picked[0] ?? null;
    return picked ?? null;
  },
};
