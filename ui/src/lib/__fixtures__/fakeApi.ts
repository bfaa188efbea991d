// A scriptable stand-in for the Tauri backend, for component and model tests.
import { vi, type Mock } from 'vitest';
import type { Api } from '../../ipc';
import type { RunEvent, RunRequest, SessionDetail, SessionIndex } from '../types';
import { detail, index } from './data';

export interface FakeApi extends Api {
  /** Sends an event on the channel of the latest `startRun`. */
  emit(ev: RunEvent): void;
  lastRequest(): RunRequest | undefined;
  mocks: { [K in keyof Api]: Mock<Api[K]> };
}

export function fakeApi(opts: { index?: () => SessionIndex; detail?: (id: string) => SessionDetail } = {}): FakeApi {
  let onEvent: ((ev: RunEvent) => void) | null = null;
  let runs = 0;
  const requests: RunRequest[] = [];
  const mocks: FakeApi['mocks'] = {
    listSessions: vi.fn<Api['listSessions']>(async () => (opts.index ?? index)()),
    showSession: vi.fn<Api['showSession']>(async (id: string) => {
      if (opts.detail) return opts.detail(id);
      const idx = (opts.index ?? index)();
      const s = idx.projects.flatMap((p) => p.sessions).find((x) => x.id === id);
      if (!s) throw { kind: 'unknown_session', message: `No session ${id}.` };
      return detail({}, s);
    }),
    startRun: vi.fn<Api['startRun']>(async (request: RunRequest, cb: (ev: RunEvent) => void) => {
      requests.push(request);
      onEvent = cb;
      runs += 1;
      return { runId: `run-${runs}` };
    }),
    sendPrompt: vi.fn<Api['sendPrompt']>(async () => {}),
    stopRun: vi.fn<Api['stopRun']>(async () => {}),
    appInfo: vi.fn<Api['appInfo']>(async () => ({
      configDir: '/home/dev/.claude',
      claude: { path: '/usr/local/bin/claude', error: null },
      version: '0.1.0',
    })),
    pickFolder: vi.fn<Api['pickFolder']>(async () => '/picked/folder'),
  };
  return {
    ...mocks,
    mocks,
    emit(ev) {
      if (!onEvent) throw new Error('no run started');
      onEvent(ev);
    },
    lastRequest: () => requests.at(-1),
  };
}
