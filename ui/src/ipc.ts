// The one seam between the UI and the Tauri backend: the only module that imports `@tauri-apps/*`.
// Components never call Tauri directly; they receive an `Api` (this file's `tauriApi` in the app,
// a fake in tests), so everything above this file runs without a desktop.
import { Channel, invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import { open } from '@tauri-apps/plugin-dialog';
import type {
  AppInfo,
  InterruptOutcome,
  PermissionAnswer,
  PermissionMode,
  PoolSnapshot,
  Registry,
  SessionDetail,
  SessionEvent,
  SessionIndex,
  SessionInfo,
  Started,
  StartRequest,
} from './lib/types';

export type * from './lib/types';

/** The global event carrying a `SessionInfo` on every state or metrics change of any session. */
export const POOL_EVENT = 'pool://session';

/** Everything the UI asks of the backend. Each call rejects with a `CommandError` on failure. */
export interface Api {
  listSessions(): Promise<SessionIndex>;
  showSession(sessionId: string): Promise<SessionDetail>;
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
}

function channel(onEvent: (event: SessionEvent) => void): Channel<SessionEvent> {
  const ch = new Channel<SessionEvent>();
  ch.onmessage = onEvent;
  return ch;
}

export const tauriApi: Api = {
  listSessions: () => invoke<SessionIndex>('list_sessions'),
  showSession: (sessionId) => invoke<SessionDetail>('show_session', { sessionId }),
  startSession: (request, onEvent) => invoke<Started>('start_session', { request, onEvent: channel(onEvent) }),
  sendPrompt: async (runId, prompt) => {
    await invoke<null>('send_prompt', { runId, prompt });
  },
  interruptSession: (runId) => invoke<InterruptOutcome>('interrupt_session', { runId }),
  answerPermission: async (runId, requestId, answer) => {
    await invoke<null>('answer_permission', { runId, requestId, answer });
  },
  setPermissionMode: async (runId, mode) => {
    await invoke<null>('set_permission_mode', { runId, mode });
  },
  closeSession: async (runId) => {
    await invoke<null>('close_session', { runId });
  },
  attachSession: (runId, onEvent) => invoke<SessionInfo>('attach_session', { runId, onEvent: channel(onEvent) }),
  poolSnapshot: () => invoke<PoolSnapshot>('pool_snapshot'),
  appInfo: () => invoke<AppInfo>('app_info'),
  registry: () => invoke<Registry>('registry'),
  renameSession: (sessionId, name) => invoke<Registry>('rename_session', { sessionId, name }),
  pinSession: (sessionId, pinned) => invoke<Registry>('pin_session', { sessionId, pinned }),
  onPoolChange: (cb) => listen<SessionInfo>(POOL_EVENT, (e) => cb(e.payload)),
  async pickFolder(defaultPath) {
    const picked = await open({ directory: true, multiple: false, defaultPath: defaultPath || undefined });
    if (Array.isArray(picked)) return picked[0] ?? null;
    return picked ?? null;
  },
};
