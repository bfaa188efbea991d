// The backend contract: JSON shapes of the Tauri commands and session events (camelCase).
// Pure types, no Tauri import: every module and test can use them.

export type TitleSource = 'custom' | 'ai' | 'summary' | 'prompt' | 'none';

export type NotResumableReason = 'projectDirMissing' | 'noCwd' | 'noConversation' | 'unreadable';

export type Resumability =
  | { state: 'resumable' }
  | { state: 'notResumable'; reason: NotResumableReason | string; message: string };

export interface SessionSummary {
  /**
   * Unique, stable identity of the transcript file: `<dirName>/<sessionId>` (one CLI session id
   * can be in two project dirs). Lists are keyed and selections made by it.
   */
  key: string;
  /** The CLI's session id (what `--resume` takes; names, pins and runs are kept by it). */
  id: string;
  /** `key` of the project that lists it (`ProjectEntry.key`): `cwd:<path>` or `dir:<dirName>`. */
  projectKey: string;
  projectPath: string | null;
  dirName: string;
  transcriptPath: string;
  title: string;
  titleSource: TitleSource | string;
  firstTimestamp: string | null;
  lastTimestamp: string | null;
  lastActivityMs: number | null;
  gitBranch: string | null;
  cliVersion: string | null;
  model: string | null;
  sizeBytes: number;
  sidechainCount: number;
  resumability: Resumability;
}

export interface ProjectGroup {
  /**
   * Unique, stable identity of the group: `cwd:<path>`, or `dir:<dirName>` when no cwd is known
   * (two cwds can map to one dir name, and a dir can hold transcripts with and without a cwd).
   */
  key: string;
  projectPath: string | null;
  dirName: string;
  lastActivityMs: number | null;
  sessions: SessionSummary[];
}

/** A whole listing, every project with its sessions: test fixtures describe the backend's state so. */
export interface SessionIndex {
  configDir: string;
  projects: ProjectGroup[];
  scannedFiles: number;
  errors: string[];
}

/** A project as the project list shows it, without its sessions (`list_projects`). Same `key` rules as ProjectGroup. */
export interface ProjectEntry {
  key: string;
  projectPath: string | null;
  dirName: string;
  lastActivityMs: number | null;
  sessionCount: number;
}

/** The project list (`list_projects`): newest project first. */
export interface ProjectIndex {
  configDir: string;
  projects: ProjectEntry[];
  scannedFiles: number;
  errors: string[];
}

/** One session as the quick switcher lists it (`session_briefs`). */
export interface SessionBrief {
  key: string;
  id: string;
  title: string;
  projectKey: string;
  lastActivityMs: number | null;
}

/** One content block of a transcript message. */
export type Block =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'tool_result'; tool_use_id: string; content: string | unknown[]; is_error: boolean }
  | { type: 'other'; raw: unknown };

export interface MessageEntry {
  entry: 'message';
  kind: 'user' | 'assistant' | 'system' | 'attachment' | 'progress' | string;
  subtype: string | null;
  uuid: string | null;
  parentUuid: string | null;
  isSidechain: boolean;
  isMeta: boolean;
  isCompactSummary: boolean;
  sessionId: string | null;
  cwd: string | null;
  gitBranch: string | null;
  version: string | null;
  timestamp: string | null;
  role: string | null;
  model: string | null;
  content: string | Block[];
  /** The CLI's flag on its stand-in message for a failed API call (optional: not every backend sends it). */
  isApiErrorMessage?: boolean;
  /** `compact_boundary` lines: how and from what size the conversation was compacted (optional). */
  compactMetadata?: { trigger?: string | null; preTokens?: number | null } | null;
}

/** A transcript line too large to decode (over 8 MiB): its size and its first 2 KB as text. */
export interface TooLargeEntry {
  entry: 'tooLarge';
  /** The line's size on disk, in bytes. */
  bytes: number;
  /** The line's first 2 KB, as text (never parsed; show it escaped). */
  preview: string;
}

export type Entry =
  | MessageEntry
  | { entry: 'summary'; summary: string }
  | { entry: 'customTitle'; title: string }
  | { entry: 'aiTitle'; title: string }
  | { entry: 'other'; kind: string }
  | TooLargeEntry;

/** One decoded line of a transcript file, with where it is in the file. */
export interface PagedEntry {
  /** 0-based line number in the file (stable; blank and malformed lines take a number too). */
  index: number;
  /** `${index}:${uuid ?? ''}`: unique within the transcript (uuids alone repeat). */
  key: string;
  /** The line's size on disk, in bytes. */
  lineBytes: number;
  /**
   * Strings in it were cut to the backend's budget (tool results 8 KB, other text 32 KB, image
   * data dropped); `transcript_entry` gives it whole.
   */
  cut: boolean;
  entry: Entry;
}

/** A contiguous range of a transcript file's lines (`show_session`). */
export interface TranscriptPage {
  /** First line index served (inclusive). */
  from: number;
  /** End of the range (exclusive); `from..to` lies within `0..total`. */
  to: number;
  /** Lines in the file now. */
  total: number;
  /** The decoded lines in `[from, to)`, in order (blank and malformed lines are skipped). */
  entries: PagedEntry[];
  /** Malformed lines within `[from, to)`. */
  malformedLines: number;
  /** The file ends in a half-written line (the CLI is writing it). */
  incompleteTail: boolean;
  /** The file's size, in bytes. */
  sizeBytes: number;
}

/** `show_session`'s answer: the session and one page of its transcript. */
export interface SessionDetail {
  summary: SessionSummary;
  transcript: TranscriptPage;
}

/** Which lines `show_session` serves: `from` absent is the tail (the last `limit` lines). */
export interface PageRequest {
  /** First line index; null or absent: the last `limit` lines. */
  from?: number | null;
  /** How many lines (default 200, at most 1000). */
  limit?: number | null;
}

/** What `start_session` takes: a new session in `cwd`, or `resume` (optionally forked). */
export interface StartRequest {
  /** Folder of a new session; ignored when resuming (a session resumes where it was recorded). */
  cwd?: string | null;
  prompt: string;
  resume?: string | null;
  forkSession?: boolean;
  model?: string | null;
  permissionMode?: PermissionMode | null;
}

/** The answer of `start_session`: ccdesk's id of the live session. */
export interface Started {
  runId: string;
}

/** A stream-json object as the CLI printed it: open-ended, every field optional. */
export type CliLine = Record<string, unknown>;

/** Lifecycle states of a live session (`SessionInfo.state`). */
export type SessionStateName =
  | 'connecting'
  | 'ready'
  | 'streaming'
  | 'waitingForPermission'
  | 'interrupting'
  | 'closed'
  | 'failed'
  | 'expired';

/** Permission modes ccdesk offers (`bypassPermissions` never is). */
export type PermissionMode = 'default' | 'acceptEdits' | 'plan';

export interface Tokens {
  input: number;
  output: number;
  cacheRead: number;
  cacheCreation: number;
}

/** A live session: identity, state (with `kind`/`message` when failed) and metrics. */
export interface SessionInfo {
  runId: string;
  sessionId: string | null;
  cwd: string;
  state: SessionStateName;
  /** Failed only: a stable kind (`crashed`, `first_chunk_timeout`, ...). */
  kind?: string;
  /** Failed only: what happened, in words. */
  message?: string;
  model: string | null;
  permissionMode: string;
  pid: number | null;
  createdAtMs: number;
  lastUsedAtMs: number;
  ageMs: number;
  idleMs: number;
  turns: number;
  messagesIn: number;
  messagesOut: number;
  tokens: Tokens;
  costUsd: number;
  durationMs: number;
  errors: number;
  bytesStreamed: number;
  reconnects: number;
  stuck: boolean;
  pendingPermissions: PermissionRequest[];
  staleLinesDropped: number;
}

/** A readable view of what a tool would do. */
export type ToolPreview =
  | { kind: 'command'; command: string; description: string | null }
  | { kind: 'fileChange'; filePath: string; diff: string }
  | { kind: 'target'; target: string }
  | { kind: 'json'; text: string };

/** A tool call waiting for the user's decision. */
export interface PermissionRequest {
  requestId: string;
  toolName: string;
  displayName: string;
  input: unknown;
  preview: ToolPreview;
  /** The CLI's suggested permission updates (what "allow for this session" applies); any JSON. */
  suggestions: unknown;
  toolUseId: string | null;
  description: string | null;
}

export type PermissionAnswer =
  | { decision: 'allowOnce' }
  | { decision: 'allowSession' }
  | { decision: 'deny'; message: string };

/** Why a permission prompt went away. */
export type PermissionResolution = 'answered' | 'cancelled' | 'abandoned';

export type InterruptOutcome = 'notRunning' | 'turnEnded' | 'processEnded';

/** What a live session sends on its channel, in order. */
export type SessionEvent =
  | { event: 'cli'; line: CliLine }
  | { event: 'malformed'; preview: string }
  | { event: 'state'; info: SessionInfo }
  | { event: 'permission'; request: PermissionRequest }
  | { event: 'permissionResolved'; requestId: string; resolution: PermissionResolution | string }
  | { event: 'metrics'; info: SessionInfo }
  | { event: 'warning'; code: string; message: string }
  | {
      event: 'exited';
      code: number | null;
      signal?: number | null;
      stderrTail: string;
      errors: string[];
      sessionId: string | null;
      malformedLines?: number;
    };

/** The whole pool, for the pool view. */
export interface PoolSnapshot {
  /** Newest first. */
  sessions: SessionInfo[];
  byState: Record<string, number>;
  live: number;
  maxSessions: number;
  totalCreated: number;
}

export interface AppInfo {
  configDir: string;
  claude: { path: string | null; error: string | null };
  version: string;
  /** The most live sessions at once. */
  maxSessions: number;
  /** Things to tell the user once (e.g. the session registry could not be read and was reset). */
  notices?: string[];
}

/** One run of a session through ccdesk's pool, as the registry remembers it. */
export interface RunRecord {
  runId: string;
  startedAtMs: number;
  /** Last change seen. */
  updatedAtMs: number;
  /** Its state at that time (`ready`, `closed`, `failed`, ...). */
  state: SessionStateName | string;
  /** Turns completed. */
  turns: number;
  costUsd: number;
}

/** What ccdesk remembers of one CLI session. */
export interface RegistryEntry {
  /** A name the user gave it (shown instead of the title). */
  name: string | null;
  /** Pinned to the top of its project. */
  pinned: boolean;
  cwd: string | null;
  lastState: SessionStateName | string | null;
  /** When ccdesk last ran it (ms since the epoch; 0 when never). */
  lastRunAtMs: number;
  /** Runs through ccdesk, oldest first. */
  history: RunRecord[];
}

/** ccdesk's own session registry (`registry`, `rename_session`, `pin_session`). */
export interface Registry {
  version: number;
  /** Entries by CLI session id. */
  sessions: Record<string, RegistryEntry>;
}

/** How every command rejects. */
export interface CommandError {
  kind: string;
  message: string;
}

// ---- desktop integration (issue 4) ---------------------------------------------------------

/** The pool's cap and timeouts (ms), as `ccdesk_core::pool::PoolConfig` serializes them. */
export interface PoolConfig {
  maxSessions: number;
  firstChunkTimeoutMs: number;
  ongoingTimeoutMs: number;
  ttlMs: number;
  stuckAfterMs: number;
  sweepIntervalMs: number;
  interruptGraceMs: number;
  interruptTimeoutMs: number;
  reconnectAttempts: number;
  reconnectBackoffMs: number;
}

export type Theme = 'system' | 'light' | 'dark';

/** ccdesk's settings (`ccdesk_core::settings::Settings`, version 1). */
export interface Settings {
  version: number;
  /** The `claude` executable; null: found automatically. */
  claudePath: string | null;
  /** The Claude Code config dir; null: `$CLAUDE_CONFIG_DIR`, else `~/.claude`. */
  configDir: string | null;
  defaultModel: string | null;
  defaultPermissionMode: PermissionMode;
  pool: PoolConfig;
  trayRecent: number;
  closeToTray: boolean;
  notifications: boolean;
  theme: Theme;
}

export type ClaudeSource = 'setting' | 'envOverride' | 'path' | 'loginShell' | 'claudeLocal' | 'npmGlobal';

export interface ClaudeDiscovery {
  found: { path: string; source: ClaudeSource; version: string | null } | null;
  tried: string[];
}

export interface SettingsView {
  settings: Settings;
  claude: ClaudeDiscovery;
  notices: string[];
  /** The config dir this running ccdesk reads (a changed one applies at the next start). */
  configDirInUse: string;
}

export type DropTarget = 'window' | 'promptBox';

export type DropOutcome =
  | { kind: 'folder'; path: string }
  | { kind: 'mention'; text: string }
  | { kind: 'rejected'; message: string };

/** A window drag-and-drop event as the webview reports it (position in physical pixels). */
export interface DragDropEvent {
  type: 'enter' | 'over' | 'drop' | 'leave';
  paths: string[];
  position: { x: number; y: number } | null;
}

/** Something the backend asks the window to open (`app://open`, or queued before the UI listened). */
export type OpenRequest =
  | { kind: 'folder'; path: string }
  | { kind: 'resume'; sessionId: string }
  | { kind: 'live'; runId: string }
  | { kind: 'newSession' }
  | { kind: 'settings' }
  | { kind: 'error'; message: string };

export type TrayAction =
  | { kind: 'showWindow' }
  | { kind: 'newSessionInFolder' }
  | { kind: 'openLive'; runId: string }
  | { kind: 'resume'; sessionId: string }
  | { kind: 'quit' };

export type TrayItem =
  | { kind: 'action'; label: string; action: TrayAction; enabled: boolean }
  | { kind: 'header'; label: string }
  | { kind: 'separator' }
  | { kind: 'submenu'; label: string; items: TrayItem[] };

/** The tray menu as a model (`ccdesk_core::tray::TrayMenu`). */
export interface TrayMenu {
  items: TrayItem[];
  tooltip: string;
}
