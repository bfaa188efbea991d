// The one seam between the UI and the Tauri backend: the only module that imports `@tauri-apps/*`.
// Components never call Tauri directly; they receive an `Api` (this file's `tauriApi` in the app,
// a fake in tests), so everything above this file runs without a desktop.
import { Channel, invoke } from '@tauri-apps/api/core';
import { open } from '@tauri-apps/plugin-dialog';
import type {
  AppInfo,
  RunEvent,
  RunHandle,
  RunRequest,
  SessionDetail,
  SessionIndex,
} from './lib/types';

export type * from './lib/types';

/** Everything the UI asks of the backend. Each call rejects with a `CommandError` on failure. */
export interface Api {
  listSessions(): Promise<SessionIndex>;
  showSession(sessionId: string): Promise<SessionDetail>;
  /** Starts a `claude` process; `onEvent` receives its events in order, possibly before this resolves. */
  startRun(request: RunRequest, onEvent: (event: RunEvent) => void): Promise<RunHandle>;
  /** A follow-up prompt to a live run. */
  sendPrompt(runId: string, prompt: string): Promise<void>;
  /** Ends a run's process. */
  stopRun(runId: string): Promise<void>;
  appInfo(): Promise<AppInfo>;
  /** Native folder picker; null when cancelled. */
  pickFolder(defaultPath?: string): Promise<string | null>;
}

export const tauriApi: Api = {
  listSessions: () => invoke<SessionIndex>('list_sessions'),
  showSession: (sessionId) => invoke<SessionDetail>('show_session', { sessionId }),
  startRun(request, onEvent) {
    const channel = new Channel<RunEvent>();
    channel.onmessage = onEvent;
    return invoke<RunHandle>('start_run', { request, onEvent: channel });
  },
  sendPrompt: async (runId, prompt) => {
    await invoke<null>('send_prompt', { runId, prompt });
  },
  stopRun: async (runId) => {
    await invoke<null>('stop_run', { runId });
  },
  appInfo: () => invoke<AppInfo>('app_info'),
  async pickFolder(defaultPath) {
    const picked = await open({ directory: true, multiple: false, defaultPath: defaultPath || undefined });
    if (Array.isArray(picked)) return picked[0] ?? null;
    return picked ?? null;
  },
};
