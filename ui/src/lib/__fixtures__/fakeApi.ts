// A scriptable stand-in for the Tauri backend, for component and model tests.
import { vi, type Mock } from 'vitest';
import type { Api } from '../../ipc';
import type { PoolSnapshot, Registry, RegistryEntry, SessionDetail, SessionEvent, SessionIndex, SessionInfo, StartRequest } from '../types';
import { detail, index } from './data';

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
  mocks: { [K in keyof Api]: Mock<Api[K]> };
}

export function fakeApi(
  opts: { index?: () => SessionIndex; detail?: (id: string) => SessionDetail; pool?: () => PoolSnapshot; registry?: Registry } = {},
): FakeApi {
  const registryState: Registry = structuredClone(opts.registry ?? { version: 1, sessions: {} });
  const entry = (id: string): RegistryEntry =>
    (registryState.sessions[id] ??= { name: null, pinned: false, cwd: null, lastState: null, lastRunAtMs: 0, history: [] });
  const channels = new Map<string, (ev: SessionEvent) => void>();
  let latest: ((ev: SessionEvent) => void) | null = null;
  const poolListeners = new Set<(info: SessionInfo) => void>();
  let runs = 0;
  const requests: StartRequest[] = [];
  const ids: string[] = [];
  const mocks: FakeApi['mocks'] = {
    listSessions: vi.fn<Api['listSessions']>(async () => (opts.index ?? index)()),
    showSession: vi.fn<Api['showSession']>(async (id: string) => {
      if (opts.detail) return opts.detail(id);
      const idx = (opts.index ?? index)();
      const s = idx.projects.flatMap((p) => p.sessions).find((x) => x.id === id);
      if (!s) throw { kind: 'unknown_session', message: `No session ${id}.` };
      return detail({}, s);
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
      notices: [],
    })),
    registry: vi.fn<Api['registry']>(async () => structuredClone(registryState)),
    renameSession: vi.fn<Api['renameSession']>(async (id: string, name: string) => {
      const clean = name.trim();
      entry(id).name = clean === '' ? null : [...clean].slice(0, 200).join('');
      return structuredClone(registryState);
    }),
    pinSession: vi.fn<Api['pinSession']>(async (id: string, pinned: boolean) => {
      entry(id).pinned = pinned;
      return structuredClone(registryState);
    }),
    onPoolChange: vi.fn<Api['onPoolChange']>(async (cb: (info: SessionInfo) => void) => {
      poolListeners.add(cb);
      return () => poolListeners.delete(cb);
    }),
    pickFolder: vi.fn<Api['pickFolder']>(async () => '/picked/folder'),
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
  };
}
