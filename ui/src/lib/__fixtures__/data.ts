// Test data in the backend's shapes (see ../types.ts), modelled on the shared sample transcripts.
import { expiryWords } from '../expiry';
import type {
  UsageBy,
  UsageReport,
  Block,
  Entry,
  MessageEntry,
  PagedEntry,
  PermissionRequest,
  ProjectIndex,
  SessionBrief,
  SessionDetail,
  SessionIndex,
  SessionInfo,
  SessionSummary,
  Settings,
  TranscriptPage,
} from '../types';

export const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);

/**
 * A session summary; its `key` is `<dirName>/<id>` and its `projectKey` that of its path (else its
 * dir) unless given.
 */
export function summary(over: Partial<SessionSummary> = {}): SessionSummary {
  const id = over.id ?? '0d5e6d18-44bd-4040-934c-95411eb40216';
  const s: SessionSummary = {
    key: '',
    id,
    projectKey: '',
    projectPath: '/home/dev/proj',
    dirName: '-home-dev-proj',
    transcriptPath: `/home/dev/.claude/projects/-home-dev-proj/${id}.jsonl`,
    title: 'Say hello',
    titleSource: 'prompt',
    firstTimestamp: '2026-11-22T08:00:00.000Z',
    lastTimestamp: '2026-11-22T09:00:00.000Z',
    lastActivityMs: NOW - 3 * 3_600_000,
    gitBranch: 'main',
    cliVersion: '2.1.330',
    model: 'claude-opus-5-5',
    sizeBytes: 1234,
    sidechainCount: 0,
    malformedLines: 0,
    resumability: { state: 'resumable' },
    modifiedAt: NOW - 3 * 3_600_000,
    expiresAt: null,
    archived: false,
    profile: null,
    ...over,
  };
  s.key = over.key ?? `${s.dirName}/${s.id}`;
  s.projectKey = over.projectKey ?? projectKey(s.projectPath, s.dirName);
  return s;
}

/** The backend's project key: `cwd:<path>`, else `dir:<dirName>`. */
export function projectKey(projectPath: string | null, dirName: string): string {
  return projectPath !== null ? `cwd:${projectPath}` : `dir:${dirName}`;
}

export const missingDir = summary({
  id: '11111111-2222-4333-8444-555555555555',
  projectPath: '/gone/away',
  dirName: '-gone-away',
  title: 'Old work',
  gitBranch: null,
  lastActivityMs: NOW - 2 * 86_400_000,
  resumability: { state: 'notResumable', reason: 'projectDirMissing', message: 'The project folder /gone/away no longer exists' },
});

export function index(): SessionIndex {
  return {
    configDir: '/home/dev/.claude',
    profiles: [],
    scannedFiles: 3,
    errors: [],
    retention: { periodDays: 30, source: null },
    projects: [
      {
        key: 'cwd:/home/dev/proj',
        projectPath: '/home/dev/proj',
        dirName: '-home-dev-proj',
        lastActivityMs: NOW - 3 * 3_600_000,
        sessions: [summary(), summary({ id: '22222222-2222-4333-8444-555555555555', title: 'Second', lastActivityMs: NOW - 4 * 3_600_000 })],
      },
      { key: 'cwd:/gone/away', projectPath: '/gone/away', dirName: '-gone-away', lastActivityMs: missingDir.lastActivityMs, sessions: [missingDir] },
      {
        key: 'dir:-mystery',
        projectPath: null,
        dirName: '-mystery',
        lastActivityMs: null,
        sessions: [summary({ id: '33333333-2222-4333-8444-555555555555', projectPath: null, dirName: '-mystery', title: 'No cwd', resumability: { state: 'notResumable', reason: 'noCwd', message: 'No working directory recorded' } })],
      },
    ],
  };
}

/** A listing as `list_projects` answers it: the projects without their sessions, with their count. */
export function projectIndex(idx: SessionIndex = index()): ProjectIndex {
  const projects = idx.projects.map(({ sessions, ...p }) => ({
    ...p,
    // As the backend names them: the config dirs with sessions in it, when several are listed.
    profiles: idx.profiles.length > 1 ? idx.profiles.filter((n) => sessions.some((s) => (s.profile ?? idx.profiles[0]) === n)) : [],
    sessionCount: sessions.length,
    // As the backend counts them: at the listing.
    expiringSoon: sessions.filter((s) => expiryWords(s.expiresAt, Date.now()) !== null).length,
  }));
  return {
    configDir: idx.configDir,
    profiles: idx.profiles,
    scannedFiles: idx.scannedFiles,
    errors: idx.errors,
    retention: idx.retention,
    expiringSoon: projects.reduce((n, p) => n + p.expiringSoon, 0),
    projects,
  };
}

/** Every session of a listing, each with the `projectKey` of the project that lists it. */
export function listedSessions(idx: SessionIndex = index()): SessionSummary[] {
  return idx.projects.flatMap((p) => p.sessions.map((s) => ({ ...s, projectKey: p.key })));
}

/** A listing's sessions as `session_briefs` answers them: newest first. */
export function briefs(idx: SessionIndex = index()): SessionBrief[] {
  return listedSessions(idx)
    .map(({ key, id, title, projectKey, lastActivityMs }) => ({ key, id, title, projectKey, lastActivityMs }))
    .sort((a, b) => (b.lastActivityMs ?? 0) - (a.lastActivityMs ?? 0));
}

let n = 0;
export function message(kind: string, content: string | Block[], over: Partial<MessageEntry> = {}): MessageEntry {
  n += 1;
  return {
    entry: 'message',
    kind,
    subtype: null,
    uuid: `uuid-${n}`,
    parentUuid: null,
    isSidechain: false,
    isMeta: false,
    isCompactSummary: false,
    sessionId: 's',
    cwd: '/home/dev/proj',
    gitBranch: 'main',
    version: '2.1.330',
    timestamp: '2026-11-22T08:00:00.000Z',
    role: kind === 'user' || kind === 'assistant' ? kind : null,
    model: kind === 'assistant' ? 'claude-opus-5-5' : null,
    messageId: null,
    content,
    compactMetadata: null,
    isApiErrorMessage: false,
    ...over,
  };
}

/** A conversation with a tool call, thinking, a subagent, a meta line and hostile HTML. */
export function entries(): Entry[] {
  return [
    { entry: 'other', kind: 'file-history-snapshot' },
    message('user', 'Run **echo** please'),
    message('user', '<command-name>/clear</command-name>', { isMeta: true }),
    message('assistant', [{ type: 'thinking', thinking: 'Let me think.' }]),
    message('assistant', [{ type: 'text', text: "I'll run a command." }]),
    message('assistant', [{ type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'echo hello-from-bash' } }]),
    message('user', [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'hello-from-bash', is_error: false }]),
    message('assistant', [{ type: 'tool_use', id: 'toolu_2', name: 'Agent', input: { description: 'Say hi', subagent_type: 'general-purpose' } }]),
    message('user', 'SUBAGENT: reply with hi', { isSidechain: true }),
    message('assistant', [{ type: 'text', text: 'hi (from subagent)' }], { isSidechain: true }),
    message('user', [{ type: 'tool_result', tool_use_id: 'toolu_2', content: [{ type: 'text', text: 'hi' }], is_error: false }]),
    message('progress', []),
    message('system', [], { subtype: 'compact_boundary' }),
    message('assistant', [{ type: 'text', text: 'Look: <img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script> [link](https://example.com)' }]),
    { entry: 'aiTitle', title: 'Say hello' },
  ];
}

/** Entries as the backend pages them: line numbers from `from` up, keys `${index}:${uuid}`. */
export function paged(list: Entry[], from = 0): PagedEntry[] {
  return list.map((entry, i) => {
    const index = from + i;
    const uuid = entry.entry === 'message' ? (entry.uuid ?? '') : '';
    return { index, key: `${index}:${uuid}`, lineBytes: 100, cut: false, entry };
  });
}

/** A page holding `list` as the whole file (lines 0..n), unless `over` says otherwise. */
export function page(list: Entry[] = entries(), over: Partial<TranscriptPage> = {}): TranscriptPage {
  const from = over.from ?? 0;
  const items = over.entries ?? paged(list, from);
  const to = over.to ?? from + items.length;
  return { from, to, total: to, entries: items, malformedLines: 0, incompleteTail: false, sizeBytes: 100 * to, ...over };
}

/** A session and the whole of its (fixture) transcript as one page. */
export function detail(over: Partial<TranscriptPage> & { list?: Entry[] } = {}, s: SessionSummary = summary()): SessionDetail {
  const { list, ...rest } = over;
  return { summary: s, transcript: page(list ?? entries(), rest) };
}

/** A SessionInfo with defaults: a ready session started a minute ago. */
export function sessionInfo(over: Partial<SessionInfo> = {}): SessionInfo {
  const now = Date.now();
  return {
    runId: 'run-1',
    sessionId: null,
    cwd: '/home/dev/proj',
    state: 'ready',
    model: 'claude-sonnet-4-5',
    permissionMode: 'default',
    pid: 4242,
    createdAtMs: now - 60_000,
    lastUsedAtMs: now - 30_000,
    ageMs: 60_000,
    idleMs: 30_000,
    turns: 0,
    messagesIn: 0,
    messagesOut: 0,
    tokens: { input: 0, output: 0, cacheRead: 0, cacheCreation: 0 },
    costUsd: 0,
    durationMs: 0,
    errors: 0,
    bytesStreamed: 0,
    reconnects: 0,
    stuck: false,
    retired: false,
    pendingPermissions: [],
    staleLinesDropped: 0,
    ...over,
  } as SessionInfo;
}

/** A permission prompt like the fake CLI's FAKE_PERMISSION Write. */
export function permissionRequest(over: Partial<PermissionRequest> = {}): PermissionRequest {
  return {
    requestId: 'req-1',
    toolName: 'Write',
    displayName: 'Write',
    input: { file_path: '/home/dev/proj/fake-permission.txt', content: 'x\n' },
    preview: { kind: 'fileChange', filePath: '/home/dev/proj/fake-permission.txt', diff: '+x\n' },
    suggestions: [{ type: 'setMode', mode: 'acceptEdits', destination: 'session' }],
    toolUseId: 'toolu_1',
    description: 'fake-permission.txt',
    ...over,
  };
}

export function defaultSettings(): Settings {
  return {
    version: 1,
    claudePath: null,
    configDir: null,
    configDirName: null,
    moreConfigDirs: [],
    terminal: null,
    defaultModel: null,
    defaultPermissionMode: 'default',
    pool: {
      maxSessions: 8,
      firstChunkTimeoutMs: 10_000,
      ongoingTimeoutMs: 120_000,
      ttlMs: 3_600_000,
      stuckAfterMs: 1_800_000,
      sweepIntervalMs: 1_000,
      interruptGraceMs: 3_000,
      interruptTimeoutMs: 15_000,
      reconnectAttempts: 3,
      reconnectBackoffMs: 500,
    },
    trayRecent: 10,
    closeToTray: true,
    notifications: true,
    theme: 'system',
    // Answered (off): the first-start question is tested on its own.
    vault: { enabled: false, maxMb: 4096 },
  };
}

/** A usage report as `usage_report` answers it, grouped `by`. */
export function usageReport(by: UsageBy = 'day'): UsageReport {
  const totals = (input: number, output: number, read: number, write: number, cost: number, messages: number) => ({
    inputTokens: input,
    outputTokens: output,
    cacheReadTokens: read,
    cacheCreationTokens: write,
    costUsd: cost,
    messages,
    unpricedMessages: 0,
  });
  const rows =
    by === 'day'
      ? [
          { key: '2026-11-20', label: '2026-11-20', lastMs: NOW - 2 * 86_400_000, ...totals(100, 50, 1000, 200, 0.25, 3) },
          { key: '2026-11-21', label: '2026-11-21', lastMs: NOW - 86_400_000, ...totals(300, 20, 0, 0, 1.5, 2) },
        ]
      : [
          { key: '-home-dev-proj/0d5e6d18-44bd-4040-934c-95411eb40216', label: '/home/dev/proj', lastMs: NOW, ...totals(300, 20, 0, 0, 1.5, 2) },
          { key: '-home-dev-other/11111111-2222-4333-8444-555555555555', label: '/home/dev/<b>other</b>', lastMs: NOW, ...totals(100, 50, 1000, 200, 0.25, 3) },
        ];
  return {
    by,
    rows,
    total: { ...totals(400, 70, 1000, 200, 1.75, 5), unpricedMessages: 1 },
    files: 4,
    duplicates: 6,
    prices: 'Anthropic, Claude API pricing (2025-11-24)',
  };
}
